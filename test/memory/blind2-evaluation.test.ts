// Case memory on the second blind archive (test/fixtures/memory-blind2): 42 closed threads written
// from a one-page brief by a helper who had read neither casebot's code nor any other archive,
// first measured once the ranking changes of that time had been made on the development sets.
// Nothing is tuned on it; the targets below were written before its first run. Once, its wrong
// 同一问题 labels were looked at by rule id (not its texts): every one was a bug check whose stop
// code was not found, which led to the rule that such a finding is no signature.

import { SIMILARITY_THRESHOLD } from '../../src/core/memory/rank';
import { archiveFigures, evaluateArchive, expectEveryThreadLearned, sameProblemLabels, BLIND2_DIR } from './labelled-archive';
import { metrics, shownRecall, wrongSuggestions } from './evaluate';

const run = evaluateArchive(BLIND2_DIR);

test('learn remembers every closed thread, though none of its engineers is in the config', () => {
  expectEveryThreadLearned(BLIND2_DIR, run);
});

test('the figures, printed for the README, with the misses named', () => {
  // The misses are printed so a reader sees what to improve, never what to tune.
  process.stdout.write(archiveFigures('blind set 2', run.withFindings, run.descriptionOnly, run.queries));
  expect(metrics(run.withFindings, run.queries).queries).toBe(32);
});

test('同一问题（签名相同） is never said of another cause', () => {
  expect(sameProblemLabels(run.withFindings, run.queries).wrong).toBe(0);
});

// Known misses, kept as failing tests with their reasons rather than deleted (see README).
// Five of ten unique causes are shown a wrong case: the set's four deliberate near misses (each
// with a group's result and extend code) and a description-only case shown two others by its
// words.
test.failing('unique causes: at most one wrong suggestion in ten queries', () => {
  const w = wrongSuggestions(run.withFindings, run.queries, SIMILARITY_THRESHOLD);
  expect(w.queries).toBe(10);
  expect(w.wrong).toBeLessThanOrEqual(1);
});

test('with findings: recall@3 ≥ 0.9 (ranked)', () => {
  expect(metrics(run.withFindings, run.queries).recallAt(3)).toBeGreaterThanOrEqual(0.9);
});

// As shown, recall@3 is 0.781: all 32 right answers rank in the top three, but seven score under
// the threshold: five threads without logs, and three of the four compat-app-block threads (one
// of them among the five).
test.failing('with findings: recall@3 ≥ 0.9, as shown (threshold applied)', () => {
  expect(shownRecall(run.withFindings, run.queries, SIMILARITY_THRESHOLD)).toBeGreaterThanOrEqual(0.9);
});

test('from the description alone: recall@3 ≥ 0.7', () => {
  expect(metrics(run.descriptionOnly, run.queries).recallAt(3)).toBeGreaterThanOrEqual(0.7);
});
