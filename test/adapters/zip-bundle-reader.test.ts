import iconv from 'iconv-lite';
import yazl from 'yazl';
import { ZipBundleReader } from '../../src/adapters/bundle/zip-bundle-reader';
import { DEFAULT_BUNDLE_LIMITS } from '../../src/core/limits';
import type { LogFileInput } from '../../src/core/types';

function zip(entries: { name: string; content: Buffer; gbkName?: boolean }[]): Promise<Buffer> {
  const z = new yazl.ZipFile();
  for (const e of entries) z.addBuffer(e.content, e.name, { mtime: new Date('2022-04-15T00:00:00Z') });
  z.end();
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    z.outputStream.on('data', (c: Buffer) => chunks.push(c));
    z.outputStream.on('end', () => resolve(Buffer.concat(chunks)));
  });
}

const reader = new ZipBundleReader(DEFAULT_BUNDLE_LIMITS);

async function readAll(file: LogFileInput): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of file.open()) chunks.push(c);
  return Buffer.concat(chunks);
}
const log = Buffer.from('2022-04-15 15:00:13, Info                  SP     x\r\n');

test('nested folders, nested zips, and only log-like files', async () => {
  const inner = await zip([{ name: 'Panther/setupact.log', content: log }]);
  const outer = await zip([
    { name: 'UpgradeLog/setupdiag.log', content: log },
    { name: 'UpgradeLog/screenshot.png', content: Buffer.from([0x89, 0x50]) },
    { name: 'More/inner.zip', content: inner },
  ]);
  const result = await reader.read({ filename: 'b.zip', contentType: 'application/zip', content: outer });
  expect(result.problems).toEqual([]);
  expect(result.files.map((f) => f.path).sort()).toEqual(['More/inner.zip/Panther/setupact.log', 'UpgradeLog/setupdiag.log']);
  // Each entry streams, and can be read again.
  for (const f of result.files) {
    expect(await readAll(f)).toEqual(log);
    expect(await readAll(f)).toEqual(log);
  }
});

test('backslash entry names and GBK-encoded names', async () => {
  const original = 'UpgradeLog/C_Win_BT_Panther/setupact.log';
  const z = await zip([{ name: original, content: log }]);
  // Rewrite the stored name as Windows tools write it: GBK bytes, backslashes, no UTF-8 flag.
  const windowsName = `升级日志${'_'.repeat(19)}\\setupact.log`;
  const gbk = iconv.encode(windowsName, 'gbk');
  expect(gbk.length).toBe(original.length);
  for (let at = z.indexOf(original); at >= 0; at = z.indexOf(original, at + 1)) gbk.copy(z, at);
  const result = await reader.read({ filename: 'b.zip', contentType: 'application/zip', content: z });
  expect(result.files.map((f) => f.path)).toEqual([windowsName.replace('\\', '/')]);
});

test('loose log attachments are read as they are', async () => {
  const result = await reader.read({ filename: 'setupact.log', contentType: 'text/plain', content: log });
  expect(result.files.map((f) => f.path)).toEqual(['setupact.log']);
  expect(await readAll(result.files[0]!)).toEqual(log);
});

test('a corrupt zip, and a 7z, say why they could not be read', async () => {
  const corrupt = await reader.read({ filename: 'logs.zip', contentType: 'application/zip', content: Buffer.from('PK\u0003\u0004 not really') });
  expect(corrupt.files).toEqual([]);
  expect(corrupt.problems[0]).toMatch(/附件 logs\.zip 无法读取/);
  const sevenZip = await reader.read({ filename: 'logs.7z', contentType: 'application/octet-stream', content: Buffer.from('7z') });
  expect(sevenZip.problems[0]).toMatch(/zip 格式/);
});
