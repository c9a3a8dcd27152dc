// Case memory on the second blind archive (test/fixtures/memory-blind2): 42 closed threads written
// from a one-page brief by a helper who had read neither casebot's code nor any other archive,
// measured once every change to the ranking had been made on the development sets. The first
// blind set's figures had been seen a few times by then; this one's had not. Nothing is tuned
// on it. The targets below were written before its first run.

import { SIMILARITY_THRESHOLD } from '../../src/core/memory/rank';
import { archiveFigures, evaluateArchive, expectEveryThreadLearned, BLIND2_DIR } from './labelled-archive';
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

// Known misses, kept as failing tests with their reasons rather than deleted (see README).
// Five of ten unique causes are shown a wrong case: the set's four deliberate near misses (each
// with a group's result and extend code) and a description-only case shown two others by its
// words. Twelve of the seventeen 同一问题 labels shown name another cause (printed above).
test.failing('unique causes: at most one wrong suggestion in ten queries', () => {
  const w = wrongSuggestions(run.withFindings, run.queries, SIMILARITY_THRESHOLD);
  expect(w.queries).toBe(10);
  expect(w.wrong).toBeLessThanOrEqual(1);
});

test('with findings: recall@3 ≥ 0.9 (ranked)', () => {
  expect(metrics(run.withFindings, run.queries).recallAt(3)).toBeGreaterThanOrEqual(0.9);
});

// As shown, recall@3 is 0.750: seven right answers rank in the top three but score under the
// threshold: five threads without logs, and three of the four compat-app-block threads (one of
// them among the five).
test.failing('with findings: recall@3 ≥ 0.9, as shown (threshold applied)', () => {
  expect(shownRecall(run.withFindings, run.queries, SIMILARITY_THRESHOLD)).toBeGreaterThanOrEqual(0.9);
});

test('from the description alone: recall@3 ≥ 0.7', () => {
  expect(metrics(run.descriptionOnly, run.queries).recallAt(3)).toBeGreaterThanOrEqual(0.7);
});
