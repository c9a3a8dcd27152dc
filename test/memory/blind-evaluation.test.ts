// Case memory on the blind archive (test/fixtures/memory-blind): 45 closed threads written from a
// one-page brief by a helper who had not read casebot's code, answered by six engineers none of
// whom is in the config. No threshold is tuned on it: the ranking is tuned on the development
// sets (evaluation.test.ts, outside-dev-evaluation.test.ts). `learn` must remember every thread;
// then each thread queries a memory of the other 44 with its first mail's words and its logs, as
// the live mailbox would.

import { SIMILARITY_THRESHOLD } from '../../src/core/memory/rank';
import { archiveFigures, evaluateArchive, expectEveryThreadLearned, sameProblemLabels, BLIND_DIR } from './labelled-archive';
import { metrics, shownRecall, wrongSuggestions } from './evaluate';

const run = evaluateArchive(BLIND_DIR);

test('learn remembers every closed thread, though none of its engineers is in the config', () => {
  expectEveryThreadLearned(BLIND_DIR, run);
});

test('the figures, printed for the README, with the misses named', () => {
  // The misses are printed so a reader sees what to improve, never what to tune.
  process.stdout.write(archiveFigures('blind set', run.withFindings, run.descriptionOnly, run.queries));
  expect(metrics(run.withFindings, run.queries).queries).toBe(35);
});

test('同一问题（签名相同） is never said of another cause', () => {
  expect(sameProblemLabels(run.withFindings, run.queries).wrong).toBe(0);
});

test('unique causes: at most one wrong suggestion in ten queries', () => {
  const w = wrongSuggestions(run.withFindings, run.queries, SIMILARITY_THRESHOLD);
  expect(w.queries).toBe(10);
  expect(w.wrong).toBeLessThanOrEqual(1);
});

test('with findings: recall@3 ≥ 0.9 on the blind set (ranked)', () => {
  expect(metrics(run.withFindings, run.queries).recallAt(3)).toBeGreaterThanOrEqual(0.9);
});

test('from the description alone: recall@3 ≥ 0.7 on the blind set', () => {
  expect(metrics(run.descriptionOnly, run.queries).recallAt(3)).toBeGreaterThanOrEqual(0.7);
});

// Known misses, kept as failing tests with their reasons rather than deleted (see README).
// As shown (threshold applied) recall@3 is 0.886: all 35 right answers rank in the top three,
// but four score under the threshold: two threads with logs (a disk-space run and a MIG run) and
// two without. Found on this set, so not tuned here.
test.failing('with findings: recall@3 ≥ 0.9 on the blind set, as shown (threshold applied)', () => {
  expect(shownRecall(run.withFindings, run.queries, SIMILARITY_THRESHOLD)).toBeGreaterThanOrEqual(0.9);
});
