import fs from 'node:fs';
import iconv from 'iconv-lite';
import { ArchiveBundleReader } from '../../src/adapters/bundle/archive-bundle-reader';
import { DEFAULT_BUNDLE_LIMITS } from '../../src/core/limits';
import type { LogFileInput } from '../../src/core/types';
import { attach, tempFolder, yazlZip as zip } from '../helpers/hostile-archives';

const reader = new ArchiveBundleReader(DEFAULT_BUNDLE_LIMITS);
const dir = tempFolder();
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

async function readOne(filename: string, contentType: string, content: Buffer) {
  const bundles = await reader.read([attach(dir, filename, content, contentType)]);
  expect(bundles).toHaveLength(1);
  return bundles[0]!;
}

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
  const result = await readOne('b.zip', 'application/zip', outer);
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
  const result = await readOne('b.zip', 'application/zip', z);
  expect(result.files.map((f) => f.path)).toEqual([windowsName.replace('\\', '/')]);
});

test('loose log attachments are read as they are', async () => {
  const result = await readOne('setupact.log', 'text/plain', log);
  expect(result.files.map((f) => f.path)).toEqual(['setupact.log']);
  expect(await readAll(result.files[0]!)).toEqual(log);
});

test('a corrupt zip, and a file that only looks like a 7z by name, say why they could not be read', async () => {
  const corrupt = await readOne('logs.zip', 'application/zip', Buffer.from('PK\u0003\u0004 not really'));
  expect(corrupt.files).toEqual([]);
  expect(corrupt.problems).toEqual([expect.objectContaining({ code: 'ARCHIVE_TRUNCATED', file: 'logs.zip' })]);
  const notSevenZip = await readOne('logs.7z', 'application/octet-stream', Buffer.from('7z'));
  expect(notSevenZip.problems).toEqual([{ code: 'UNKNOWN_FORMAT', file: 'logs.7z' }]);
});

test('a zip64 archive (yazl forceZip64Format) reads like any zip', async () => {
  const z = await zip([{ name: 'Panther/setupact.log', content: log }], { zip64: true });
  // Sizes and offsets live in the zip64 extra field; the 32-bit fields hold 0xFFFFFFFF.
  expect(z.includes(Buffer.from([0xff, 0xff, 0xff, 0xff]))).toBe(true);
  const result = await readOne('zip64.zip', 'application/zip', z);
  expect(result.problems).toEqual([]);
  expect(result.files.map((f) => f.path)).toEqual(['Panther/setupact.log']);
  expect(await readAll(result.files[0]!)).toEqual(log);
});

test('the bundle carries the attachment identity, and readFile reads a zip on disk', async () => {
  const z = await zip([{ name: 'setupact.log', content: log }]);
  const source = attach(dir, 'b.zip', z, 'application/zip');
  const [bundle] = await reader.read([source]);
  expect(bundle).toMatchObject({ name: 'b.zip', sha256: source.sha256, size: z.length, problems: [] });
  const fromDisk = await reader.readFile(source.file, 'b.zip');
  expect(fromDisk).toMatchObject({ name: 'b.zip', sha256: source.sha256, size: z.length, problems: [] });
  expect(await readAll(fromDisk.files[0]!)).toEqual(log);
});
