// Case memory on the labelled set, leave-one-out: recall@3 and MRR with findings, recall@5 from
// the customer's description alone, and wrong suggestions on unique-cause queries, against the
// targets of the case-memory issue. The figures are printed for the README.

import path from 'node:path';
import { loadKnowledge } from '../../src/knowledge/load';
import { SIMILARITY_THRESHOLD } from '../../src/core/memory/rank';
import { mineTemplates } from '../../src/core/memory/templates';
import { codeSynonyms } from '../../src/core/memory/tokens';
import { buildEvalSet, GROUPS, UNIQUE, successLogLines, type EvalCase } from './eval-set';
import { leaveOneOut, metrics, shownRecall, wrongSuggestions, type EvalOptions, type Ranked } from './evaluate';

const knowledge = loadKnowledge(path.join(__dirname, '../../knowledge'));
let cases: EvalCase[];
let options: EvalOptions;
let withFindings: Ranked[];
let descriptionOnly: Ranked[];

beforeAll(async () => {
  cases = await buildEvalSet(knowledge);
  options = {
    knowledge,
    synonyms: codeSynonyms(knowledge),
    normalTemplates: new Set(mineTemplates(successLogLines()).map((t) => t.template)),
  };
  withFindings = leaveOneOut(cases, true, options);
  descriptionOnly = leaveOneOut(cases, false, options);
}, 120000);

test('the labelled set: at least 60 cases in at least 12 root-cause groups, ten unique causes, real logs as distractors', () => {
  const grouped = cases.filter((c) => GROUPS.some((g) => g.group === c.group));
  expect(grouped.length).toBeGreaterThanOrEqual(60);
  expect(new Set(grouped.map((c) => c.group)).size).toBeGreaterThanOrEqual(12);
  expect(cases.filter((c) => UNIQUE.some((g) => g.group === c.group))).toHaveLength(10);
  expect(cases.filter((c) => c.group === null).length).toBeGreaterThanOrEqual(8);
});

test('with findings: recall@3 ≥ 0.9 (as shown, threshold applied), and MRR', () => {
  const m = metrics(withFindings, cases);
  const shownAt3 = shownRecall(withFindings, cases, SIMILARITY_THRESHOLD);
  // Without the exact-key tier (by weighted score alone): how much the score carries by itself.
  const byScore = metrics(
    withFindings.map((r) => ({ ...r, ranking: [...r.ranking].sort((a, b) => b.score - a.score) })),
    cases,
  );
  process.stdout.write(
    `case memory, with findings: ${m.queries} queries, recall@3 ${m.recallAt(3).toFixed(3)} (shown: ${shownAt3.toFixed(3)}), MRR ${m.mrr.toFixed(3)}; ` +
      `by score alone recall@3 ${byScore.recallAt(3).toFixed(3)}, MRR ${byScore.mrr.toFixed(3)}\n`,
  );
  expect(shownAt3).toBeGreaterThanOrEqual(0.9);
  expect(m.mrr).toBeGreaterThanOrEqual(0.9);
});

test('from the description alone: recall@5 ≥ 0.7', () => {
  const m = metrics(descriptionOnly, cases);
  process.stdout.write(
    `case memory, description only: recall@5 ${m.recallAt(5).toFixed(3)}, recall@3 ${m.recallAt(3).toFixed(3)}, MRR ${m.mrr.toFixed(3)}\n`,
  );
  expect(m.recallAt(5)).toBeGreaterThanOrEqual(0.7);
});

test('unique causes: at most one wrong suggestion in ten queries', () => {
  const w = wrongSuggestions(withFindings, cases, SIMILARITY_THRESHOLD);
  process.stdout.write(
    `case memory, unique causes: ${w.wrong} wrong suggestions in ${w.queries} queries (threshold ${SIMILARITY_THRESHOLD})\n`,
  );
  expect(w.queries).toBe(10);
  expect(w.wrong).toBeLessThanOrEqual(1);
});

test('threshold sweep (printed, to tune SIMILARITY_THRESHOLD)', () => {
  const lines = [0.15, 0.2, 0.25, 0.28, 0.3, 0.32, 0.35, 0.4, 0.45, 0.5].map(
    (t) =>
      `  ${t.toFixed(2)}: shown recall@3 ${shownRecall(withFindings, cases, t).toFixed(3)}, wrong ${wrongSuggestions(withFindings, cases, t).wrong}/10`,
  );
  process.stdout.write(`threshold sweep:\n${lines.join('\n')}\n`);
  expect(lines).toHaveLength(10);
});
