// The hostile corpus (test/helpers/hostile-archives.ts) through the bundle reader: each case is
// refused with its own problem code naming the file, quickly, without memory growing with
// what the archive claims to hold, and a good bundle read afterwards still reads.

import fs from 'node:fs';
import { ArchiveBundleReader } from '../../src/adapters/bundle/archive-bundle-reader';
import { DEFAULT_BUNDLE_LIMITS } from '../../src/core/limits';
import type { LogFileInput } from '../../src/core/types';
import { attach, HOSTILE, HOSTILE_REFUSALS as EXPECTED, LOG, tempFolder, yazlZip } from '../helpers/hostile-archives';

const reader = new ArchiveBundleReader(DEFAULT_BUNDLE_LIMITS);
const dir = tempFolder();
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

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
  expect(bundle!.problems).toEqual(EXPECTED[name]!.problems.map((p) => expect.objectContaining(p)));
  expect(bundle!.files.map((f) => f.path)).toEqual(EXPECTED[name]!.logs ?? []);
  for (const file of bundle!.files) {
    if (name.startsWith('zip bomb whose directory lies')) {
      await expect(drain(file)).rejects.toMatchObject({ problem: { code: 'ENTRY_SIZE_MISMATCH', entry: 'setupact.log' } });
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
