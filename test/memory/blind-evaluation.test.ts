// Case memory on the blind archive (test/fixtures/memory-blind): 45 closed threads written from a
// one-page brief by a helper who had not read casebot's code, answered by six engineers none of
// whom is in the config. No threshold is tuned on it: the ranking is tuned on the development
// sets (evaluation.test.ts, outside-dev-evaluation.test.ts). `learn` must remember every thread;
// then each thread queries a memory of the other 44 with its first mail's words and its logs, as
// the live mailbox would.

import { SIMILARITY_THRESHOLD } from '../../src/core/memory/rank';
import { createCasebot, type Casebot } from '../../src/main';
import { loadConfig } from '../../src/config/load';
import { quiet } from '../helpers/run-pass';
import { tempMaildir } from '../helpers/temp-maildir';
import { writeTestConfig } from '../helpers/test-config';
import { archiveFigures, archiveLabels, BLIND_DIR, learnLabelledArchive, rankArchive, type ArchiveQuery } from './labelled-archive';
import { metrics, shownRecall, wrongSuggestions, type Ranked } from './evaluate';

let bot: Casebot;
let queries: ArchiveQuery[];
let withFindings: Ranked[];
let descriptionOnly: Ranked[];
let learned: Awaited<ReturnType<typeof learnLabelledArchive>>['report'];

beforeAll(async () => {
  bot = createCasebot(loadConfig(writeTestConfig({ maildir: tempMaildir() })), quiet);
  ({ report: learned, queries } = await learnLabelledArchive(bot, BLIND_DIR));
  withFindings = rankArchive(bot, queries, true);
  descriptionOnly = rankArchive(bot, queries, false);
}, 180_000);

afterAll(async () => {
  await bot?.close();
});

test('learn remembers every closed thread, though none of its engineers is in the config', () => {
  const labels = archiveLabels(BLIND_DIR);
  expect(labels.length).toBeGreaterThanOrEqual(40);
  expect(learned.open).toEqual([]);
  expect(learned.remembered.sort()).toEqual(labels.map((l) => l.caseId).sort());
});

test('the figures, printed for the README, with the misses named', () => {
  // The misses are printed so a reader sees what to improve, never what to tune.
  process.stdout.write(archiveFigures('blind set', withFindings, descriptionOnly, queries));
  expect(metrics(withFindings, queries).queries).toBe(35);
});

test('unique causes: at most one wrong suggestion in ten queries', () => {
  const w = wrongSuggestions(withFindings, queries, SIMILARITY_THRESHOLD);
  expect(w.queries).toBe(10);
  expect(w.wrong).toBeLessThanOrEqual(1);
});

test('with findings: recall@3 ≥ 0.9 on the blind set (ranked)', () => {
  expect(metrics(withFindings, queries).recallAt(3)).toBeGreaterThanOrEqual(0.9);
});

// Known misses, kept as failing tests with their reasons rather than deleted (see README).
// As shown (threshold applied) recall@3 is 0.829: four right answers rank in the top three but
// score under the threshold. Three of them are bundles where the analyzer names no specific rule
// (a generic profile, or a different rule than its siblings got), so only the outcome codes match.
// Found on this set, so not tuned here.
test.failing('with findings: recall@3 ≥ 0.9 on the blind set, as shown (threshold applied)', () => {
  expect(shownRecall(withFindings, queries, SIMILARITY_THRESHOLD)).toBeGreaterThanOrEqual(0.9);
});

// recall@3 0.686: the customers' own words in this set share few character bigrams with their
// siblings' first mails; a quoted dialog code now carries the description where there is one.
test.failing('from the description alone: recall@3 ≥ 0.7 on the blind set', () => {
  expect(metrics(descriptionOnly, queries).recallAt(3)).toBeGreaterThanOrEqual(0.7);
});
