// Case memory on the outside development archive (test/fixtures/memory-outside-dev): closed
// threads written from a one-page brief by a helper who had read neither casebot's code nor the
// blind archive, answered by engineers none of whom is in the config. Unlike the blind set, this
// one is for development: the ranking may be tuned on it, and its misses are read. `learn` must
// remember every thread; then each thread queries a memory of all the others with its first
// mail's words and its logs, as the live mailbox would.

import { SIMILARITY_THRESHOLD } from '../../src/core/memory/rank';
import { archiveFigures, archiveLabels, evaluateArchive, OUTSIDE_DEV_DIR } from './labelled-archive';
import { metrics, shownRecall, wrongSuggestions } from './evaluate';

const run = evaluateArchive(OUTSIDE_DEV_DIR);

test('learn remembers every closed thread, though none of its engineers is in the config', () => {
  const labels = archiveLabels(OUTSIDE_DEV_DIR);
  expect(labels.length).toBeGreaterThanOrEqual(40);
  expect(run.learned.open).toEqual([]);
  expect(run.learned.remembered.sort()).toEqual(labels.map((l) => l.caseId).sort());
});

test('the figures, printed for the README, with the misses named', () => {
  process.stdout.write(archiveFigures('outside development set', run.withFindings, run.descriptionOnly, run.queries));
  expect(metrics(run.withFindings, run.queries).queries).toBeGreaterThanOrEqual(30);
});

test('with findings: recall@3 ≥ 0.9 (as shown, threshold applied)', () => {
  expect(shownRecall(run.withFindings, run.queries, SIMILARITY_THRESHOLD)).toBeGreaterThanOrEqual(0.9);
});

test('from the description alone: recall@3 ≥ 0.7', () => {
  expect(metrics(run.descriptionOnly, run.queries).recallAt(3)).toBeGreaterThanOrEqual(0.7);
});

test('unique causes: ten queries, and no more than the four known near misses are shown anything', () => {
  const w = wrongSuggestions(run.withFindings, run.queries, SIMILARITY_THRESHOLD);
  expect(w.queries).toBe(10);
  expect(w.wrong).toBeLessThanOrEqual(4);
});

// Known miss, kept as a failing test with its reason (see README). The brief asked for near
// misses, and four of the ten unique threads are near misses at the fingerprint: a CA USB-key
// driver hang beside the EDR filter drivers (both 0xC1900101-0x30018, device-install-hang, no
// driver named in the logs), a USB disk left plugged in beside the storage controllers (both
// 0x20017, boot-failure-detected), a USB Wi-Fi bug check the analyzer reads only as the generic
// SetupHost failure beside the encryption group (0x40017), and an access-denied Start menu folder
// beside the security products' service keys (mig-apply-object, error 5, 0x4000D). Only words
// could tell them apart, and these customers' words do not; an outcome-only bundle must still
// find its peers (the third point), so showing them is the price of that.
test.failing('unique causes: at most one wrong suggestion in ten queries', () => {
  expect(wrongSuggestions(run.withFindings, run.queries, SIMILARITY_THRESHOLD).wrong).toBeLessThanOrEqual(1);
});

test('threshold sweep (printed, to tune SIMILARITY_THRESHOLD on the development sets)', () => {
  const lines = [0.2, 0.25, 0.3, 0.35, 0.4].map(
    (t) =>
      `  ${t.toFixed(2)}: shown recall@3 ${shownRecall(run.withFindings, run.queries, t).toFixed(3)}, wrong ${wrongSuggestions(run.withFindings, run.queries, t).wrong}/10`,
  );
  process.stdout.write(`threshold sweep, outside development set:\n${lines.join('\n')}\n`);
  expect(lines).toHaveLength(5);
});
