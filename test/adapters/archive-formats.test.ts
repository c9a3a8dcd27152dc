// Every format customers send logs in, made by the real tools where Debian has one (7zz, gcab),
// read through the bundle reader: 7z, cab, tar.gz, rar4/rar5, split archives, winmail.dat.

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ArchiveBundleReader } from '../../src/adapters/bundle/archive-bundle-reader';
import { DEFAULT_BUNDLE_LIMITS } from '../../src/core/limits';
import type { LogFileInput } from '../../src/core/types';
import type { BundleContents } from '../../src/ports/bundle-reader';
import { attach, folderWith, LOG, rar4, rar5, sevenZip, tempFolder, winmailDat, yazlZip } from '../helpers/hostile-archives';

const reader = new ArchiveBundleReader(DEFAULT_BUNDLE_LIMITS);
const dir = tempFolder();
const made: string[] = [dir];
afterAll(() => made.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

const SETUPDIAG = Buffer.from('SetupDiag reports abrupt down-level failure.\r\n');

function bundleFolder(): string {
  const folder = folderWith({
    'UpgradeLog/setupact.log': LOG,
    'UpgradeLog/setupdiag.log': SETUPDIAG,
    'UpgradeLog/shot.png': Buffer.from([0x89, 0x50]),
  });
  made.push(folder);
  return folder;
}

async function text(file: LogFileInput): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of file.open()) chunks.push(c);
  return Buffer.concat(chunks);
}

async function expectTheBundle(b: BundleContents, prefix = ''): Promise<void> {
  expect(b.problems).toEqual([]);
  expect(b.files.map((f) => f.path).sort()).toEqual([`${prefix}UpgradeLog/setupact.log`, `${prefix}UpgradeLog/setupdiag.log`]);
  for (const f of b.files) expect(await text(f)).toEqual(f.path.endsWith('setupact.log') ? LOG : SETUPDIAG);
}

test('7z (solid LZMA2) made by 7zz: listed, then each log streamed from 7zz x -so', async () => {
  const archive = sevenZip(bundleFolder(), 'logs.7z', ['UpgradeLog']);
  const [b] = await reader.read([attach(dir, 'logs.7z', archive)]);
  await expectTheBundle(b!);
  // Streams can be opened again, and the temp folder holds nothing afterwards.
  await expectTheBundle(b!);
});

test('cab made by gcab, and tar.gz made by tar, through 7zz', async () => {
  const folder = bundleFolder();
  execFileSync('gcab', ['-c', '-z', 'logs.cab', 'UpgradeLog/setupact.log', 'UpgradeLog/setupdiag.log'], { cwd: folder });
  const [cab] = await reader.read([attach(dir, 'logs.cab', fs.readFileSync(path.join(folder, 'logs.cab')))]);
  await expectTheBundle(cab!);
  execFileSync('tar', ['czf', 'logs.tgz', 'UpgradeLog'], { cwd: folder });
  const [tgz] = await reader.read([attach(dir, 'logs.tgz', fs.readFileSync(path.join(folder, 'logs.tgz')))]);
  // A .tgz is a gzip stream holding a tar: 7zz shows the tar, which is read as a nested archive.
  await expectTheBundle(tgz!, 'logs.tar/');
});

test('rar4 and rar5 through bsdtar', async () => {
  const entries = [
    { name: 'UpgradeLog/setupact.log', content: LOG },
    { name: 'UpgradeLog/setupdiag.log', content: SETUPDIAG },
  ];
  const [four, five] = await reader.read([attach(dir, 'logs4.rar', rar4(entries)), attach(dir, 'logs5.rar', rar5(entries))]);
  await expectTheBundle(four!);
  await expectTheBundle(five!);
});

test('a zip inside a 7z inside a zip', async () => {
  const inner = await yazlZip([
    { name: 'UpgradeLog/setupact.log', content: LOG },
    { name: 'UpgradeLog/setupdiag.log', content: SETUPDIAG },
  ]);
  const folder = folderWith({ 'inner.zip': inner });
  made.push(folder);
  const middle = sevenZip(folder, 'middle.7z', ['inner.zip']);
  const outer = await yazlZip([{ name: 'middle.7z', content: middle }]);
  const [b] = await reader.read([attach(dir, 'outer.zip', outer)]);
  await expectTheBundle(b!, 'middle.7z/inner.zip/');
});

test('split 7z (logs.7z.001…), 7-Zip zip volumes (.zip.001…) and Info-ZIP spanned zips (.z01…zip): one bundle each, parts in any order', async () => {
  const noise = Buffer.alloc(200 * 1024);
  let x = 1;
  for (let i = 0; i < noise.length; i++) noise[i] = (x = (Math.imul(x, 1103515245) + 12345) >>> 0) >>> 24; // incompressible: spans the parts
  const folder = folderWith({ 'UpgradeLog/setupact.log': LOG, 'UpgradeLog/setupdiag.log': SETUPDIAG, 'UpgradeLog/noise.bin': noise });
  made.push(folder);
  const partsOf = (prefix: string) =>
    fs
      .readdirSync(folder)
      .filter((n) => n.startsWith(prefix))
      .sort()
      .map((n) => attach(dir, n, fs.readFileSync(path.join(folder, n))));

  execFileSync('7zz', ['a', '-v64k', 'logs.7z', 'UpgradeLog'], { cwd: folder, stdio: 'ignore' });
  const sevenParts = partsOf('logs.7z.');
  expect(sevenParts.length).toBeGreaterThan(2);
  const bundles = await reader.read([attach(dir, 'note.log', LOG), ...sevenParts.slice().reverse()]);
  expect(bundles.map((b) => b.name)).toEqual(['note.log', 'logs.7z.001']);
  await expectTheBundle(bundles[1]!);
  expect(bundles[1]!.size).toBe(sevenParts.reduce((s, p) => s + p.size, 0));

  execFileSync('7zz', ['a', '-tzip', '-v64k', 'volumes.zip', 'UpgradeLog'], { cwd: folder, stdio: 'ignore' });
  const zipVolumes = partsOf('volumes.zip.');
  expect(zipVolumes.length).toBeGreaterThan(2);
  const [byNumber] = await reader.read(zipVolumes);
  await expectTheBundle(byNumber!);

  execFileSync('zip', ['-q', '-r', '-s', '64k', 'spanned.zip', 'UpgradeLog'], { cwd: folder });
  const spanned = partsOf('spanned.');
  expect(spanned.map((p) => p.filename)).toEqual(['spanned.z01', 'spanned.z02', 'spanned.z03', 'spanned.zip']);
  const [bySpan] = await reader.read(spanned.slice().reverse());
  expect(bySpan!.name).toBe('spanned.z01');
  await expectTheBundle(bySpan!);
});

test('a split archive with a part missing names the missing part', async () => {
  const parts = ['logs.7z.001', 'logs.7z.003'].map((n) => attach(dir, n, Buffer.from(n)));
  const [b] = await reader.read(parts);
  expect(b!.files).toEqual([]);
  expect(b!.problems).toEqual([{ code: 'SPLIT_PARTS_MISSING', file: 'logs.7z', missing: ['logs.7z.002'] }]);
  const [zip] = await reader.read([attach(dir, 'logs.z01', Buffer.from('x'))]);
  expect(zip!.problems).toEqual([{ code: 'SPLIT_PARTS_MISSING', file: 'logs.zip', missing: ['logs.zip'] }]);
});

test('winmail.dat: the attachments inside, by TNEF attributes or by MAPI properties, read as bundles', async () => {
  const zip = await yazlZip([
    { name: 'UpgradeLog/setupact.log', content: LOG },
    { name: 'UpgradeLog/setupdiag.log', content: SETUPDIAG },
  ]);
  const dat = winmailDat([
    { name: 'CMGELogs.zip', content: zip },
    { name: 'setupact.log', content: LOG, mapiOnly: true },
    { name: 'photo.jpg', content: Buffer.from([0xff, 0xd8]) },
  ]);
  const bundles = await reader.read([attach(dir, 'winmail.dat', dat, 'application/ms-tnef')]);
  expect(bundles.map((b) => b.name)).toEqual(['CMGELogs.zip', 'setupact.log']);
  await expectTheBundle(bundles[0]!);
  expect(bundles[0]!.size).toBe(zip.length);
  expect(await text(bundles[1]!.files[0]!)).toEqual(LOG);
  const [broken] = await reader.read([attach(dir, 'winmail.dat', dat.subarray(0, 100), 'application/ms-tnef')]);
  expect(broken!.problems[0]).toMatchObject({ code: 'TNEF_CORRUPT', file: 'winmail.dat' });
});

test('a missing tool is a problem on the bundle, not a crash', async () => {
  const archive = sevenZip(bundleFolder(), 'logs.7z', ['UpgradeLog']);
  const noTools = new ArchiveBundleReader(DEFAULT_BUNDLE_LIMITS, { searchPath: dir });
  const [b] = await noTools.read([attach(dir, 'logs.7z', archive)]);
  expect(b!.files).toEqual([]);
  expect(b!.problems).toEqual([{ code: 'TOOL_MISSING', file: 'logs.7z', format: '7z', tool: '7zz' }]);
  const [rar] = await noTools.read([attach(dir, 'logs.rar', rar5([{ name: 'a.log', content: LOG }]))]);
  expect(rar!.problems).toEqual([{ code: 'TOOL_MISSING', file: 'logs.rar', format: 'rar', tool: 'bsdtar' }]);
});
