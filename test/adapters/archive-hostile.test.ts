// The hostile corpus (test/helpers/hostile-archives.ts) through the bundle reader: each case is
// refused with its own Chinese reason naming the file, quickly, without memory growing with
// what the archive claims to hold, and a good bundle read afterwards still reads.

import fs from 'node:fs';
import { ArchiveBundleReader } from '../../src/adapters/bundle/archive-bundle-reader';
import { DEFAULT_BUNDLE_LIMITS } from '../../src/core/limits';
import type { LogFileInput } from '../../src/core/types';
import { attach, HOSTILE, LOG, tempFolder, yazlZip } from '../helpers/hostile-archives';

const reader = new ArchiveBundleReader(DEFAULT_BUNDLE_LIMITS);
const dir = tempFolder();
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const ENCRYPTED = '压缩包已加密，请不要设置密码，重新压缩后发送';
const INCOMPLETE = '压缩包不完整（文件被截断或缺少分卷），请重新压缩后完整发送';
const LINK = '已拒绝：这是符号链接或硬链接，不会被读取。';

/** What each case gives: the bundle's problems, and the logs still read from it. */
const EXPECTED: Record<string, { problems: string[]; logs?: string[] }> = {
  'zip bomb: 1 GB of zeros deflated to 1 MB': { problems: ['附件 bomb.zip 无法读取：文件 setupact.log 超过 512 MB。'] },
  'zip bomb under the size cap: 300 MB of zeros': { problems: ['附件 ratio.zip 无法读取：文件 setupact.log 的压缩比异常（疑似压缩炸弹）。'] },
  // Its listing looks harmless; the read stops just past the declared 1 MB (below).
  'zip bomb whose directory lies: 1 MB declared, 300 MB inside': { problems: [], logs: ['setupact.log'] },
  '42.zip-style nested bomb': { problems: ['附件 42.zip 无法读取：文件 l1-0.zip/l2-0.zip/l3-0.zip/l4-0.zip 的压缩比异常（疑似压缩炸弹）。'] },
  'nested-zip depth bomb': { problems: ['附件 deep.zip 无法读取：压缩包嵌套超过 3 层（level1.zip/level2.zip/level3.zip/level4.zip）。'] },
  'traversal and absolute names': {
    problems: [
      '附件 traversal.zip 中的 ../../etc/passwd 已拒绝：路径含有 ..（指向压缩包之外）。',
      '附件 traversal.zip 中的 C:/Windows/x.log 已拒绝：路径带有盘符。',
      '附件 traversal.zip 中的 /abs.log 已拒绝：路径是绝对路径。',
    ],
    logs: ['UpgradeLog/setupact.log'],
  },
  'zip with a unix symlink entry': { problems: [`附件 symlink.zip 中的 UpgradeLog/evil.log ${LINK}`], logs: ['UpgradeLog/setupact.log'] },
  '7z with a symlink': { problems: [`附件 symlink.7z 中的 UpgradeLog/evil.log ${LINK}`], logs: ['UpgradeLog/setupact.log'] },
  'rar5 with a symlink': { problems: [`附件 symlink.rar 中的 UpgradeLog/evil.log ${LINK}`], logs: ['UpgradeLog/setupact.log'] },
  'truncated zip': { problems: [`附件 cut.zip 无法读取：${INCOMPLETE}。`] },
  'truncated 7z': { problems: [`附件 cut.7z 无法读取：${INCOMPLETE}。`] },
  'encrypted zip (ZipCrypto, 7zz -p)': { problems: ['附件 secret.zip 无法读取：压缩包已加密（setupact.log），请不要设置密码，重新压缩后发送。'] },
  'encrypted 7z data (7zz -p)': { problems: ['附件 secret.7z 无法读取：压缩包已加密（setupact.log），请不要设置密码，重新压缩后发送。'] },
  'encrypted 7z headers (7zz -p -mhe=on)': { problems: [`附件 hidden.7z 无法读取：${ENCRYPTED}。`] },
  'encrypted rar5 headers': { problems: [`附件 hidden.rar 无法读取：${ENCRYPTED}。`] },
  'encrypted rar5 data': { problems: [`附件 secret5.rar 无法读取：${ENCRYPTED}。`] },
  'encrypted rar4 data': { problems: [`附件 secret4.rar 无法读取：${ENCRYPTED}。`] },
  '10,000 tiny entries': { problems: ['附件 flood.zip 无法读取：文件数超过 5000 个。'] },
  'directory declaring a 2 GB entry': { problems: ['附件 huge.zip 无法读取：文件 setupact.log 超过 512 MB。'] },
};

async function drain(file: LogFileInput): Promise<number> {
  let size = 0;
  for await (const chunk of file.open()) size += chunk.length;
  return size;
}

test('every hostile case has an expectation', () => {
  expect(Object.keys(EXPECTED).sort()).toEqual(Object.keys(HOSTILE).sort());
});

test.each(Object.keys(HOSTILE))('%s', async (name) => {
  const hostile = HOSTILE[name]!;
  const source = attach(dir, hostile.filename, await hostile.build());
  global.gc?.();
  const rssBefore = process.memoryUsage().rss;
  const started = Date.now();
  const [bundle] = await reader.read([source]);
  expect(bundle!.problems).toEqual(EXPECTED[name]!.problems);
  expect(bundle!.files.map((f) => f.path)).toEqual(EXPECTED[name]!.logs ?? []);
  for (const file of bundle!.files) {
    if (name.startsWith('zip bomb whose directory lies')) {
      await expect(drain(file)).rejects.toThrow('文件 setupact.log 的实际大小超过压缩包目录中声明的大小（压缩包有问题）');
    } else {
      expect(await drain(file)).toBe(LOG.length);
    }
  }
  expect(Date.now() - started).toBeLessThan(3000);
  // Bounded by the reader's own buffers, never by what the archive claims to hold.
  expect(process.memoryUsage().rss - rssBefore).toBeLessThan(150 * 1024 * 1024);
});

test('a good bundle read right after the hostile corpus still reads', async () => {
  const good = await yazlZip([{ name: 'UpgradeLog/setupact.log', content: LOG }]);
  const [bundle] = await reader.read([attach(dir, 'good.zip', good)]);
  expect(bundle!.problems).toEqual([]);
  expect(await drain(bundle!.files[0]!)).toBe(LOG.length);
});
