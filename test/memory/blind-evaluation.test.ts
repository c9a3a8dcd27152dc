// Case memory on the blind archive (test/fixtures/memory-blind): 45 closed threads written from a
// one-page brief by a helper who had not read casebot's code, answered by six engineers none of
// whom is in the config. No threshold is tuned on it. `learn` must remember every thread; then
// each thread queries a memory of the other 44 with its first mail's words and its logs, as the
// live mailbox would.

import { SIMILARITY_THRESHOLD } from '../../src/core/memory/rank';
import { createCasebot, type Casebot } from '../../src/main';
import { loadConfig } from '../../src/config/load';
import { quiet } from '../helpers/run-pass';
import { tempMaildir } from '../helpers/temp-maildir';
import { writeTestConfig } from '../helpers/test-config';
import { blindLabels, learnBlindArchive, rankBlind, type BlindQuery } from './blind-archive';
import { metrics, shownRecall, wrongSuggestions, type Ranked } from './evaluate';

let bot: Casebot;
let queries: BlindQuery[];
let withFindings: Ranked[];
let descriptionOnly: Ranked[];
let learned: Awaited<ReturnType<typeof learnBlindArchive>>['report'];

beforeAll(async () => {
  bot = createCasebot(loadConfig(writeTestConfig({ maildir: tempMaildir() })), quiet);
  ({ report: learned, queries } = await learnBlindArchive(bot));
  withFindings = rankBlind(bot, queries, true);
  descriptionOnly = rankBlind(bot, queries, false);
}, 180_000);

afterAll(async () => {
  await bot?.close();
});

test('learn remembers every closed thread, though none of its engineers is in the config', () => {
  const labels = blindLabels();
  expect(labels.length).toBeGreaterThanOrEqual(40);
  expect(learned.open).toEqual([]);
  expect(learned.remembered.sort()).toEqual(labels.map((l) => l.caseId).sort());
});

test('the figures, printed for the README, with the misses named', () => {
  const m = metrics(withFindings, queries);
  const d = metrics(descriptionOnly, queries);
  const w = wrongSuggestions(withFindings, queries, SIMILARITY_THRESHOLD);
  process.stdout.write(
    `case memory, blind set: ${m.queries} answerable queries; with findings recall@3 ${m.recallAt(3).toFixed(3)} (shown ${shownRecall(withFindings, queries, SIMILARITY_THRESHOLD).toFixed(3)}), MRR ${m.mrr.toFixed(3)}; ` +
      `description only recall@3 ${d.recallAt(3).toFixed(3)}, MRR ${d.mrr.toFixed(3)}; unique causes: ${w.wrong} wrong suggestions in ${w.queries}\n`,
  );
  for (const kind of ['findings', 'outcome-only', 'description'] as const) {
    const part = metrics(
      withFindings.filter((r) => (r.query as BlindQuery).kind === kind),
      queries,
    );
    process.stdout.write(`  ${kind}: recall@3 ${part.recallAt(3).toFixed(3)} over ${part.queries}\n`);
  }
  // The misses, so a reader sees what to improve (never what to tune: this set is not for tuning).
  const groupOf = new Map(queries.map((q) => [q.id, q.group]));
  for (const r of withFindings) {
    const q = r.query as BlindQuery;
    const peers = queries.filter((x) => x.id !== q.id && x.group === q.group).length;
    if (peers === 0 || r.ranking.slice(0, 3).some((s) => groupOf.get(s.caseId) === q.group)) continue;
    process.stdout.write(
      `  miss ${q.id} ${q.group} [${q.kind}] -> ${r.ranking
        .slice(0, 3)
        .map((s) => `${groupOf.get(s.caseId)} ${s.score.toFixed(2)}`)
        .join(' | ')}\n`,
    );
  }
  expect(m.queries).toBe(35);
});

test('unique causes: at most one wrong suggestion in ten queries', () => {
  const w = wrongSuggestions(withFindings, queries, SIMILARITY_THRESHOLD);
  expect(w.queries).toBe(10);
  expect(w.wrong).toBeLessThanOrEqual(1);
});

// Known misses, kept as failing tests with their reasons rather than deleted (see README).
// recall@3 0.829. The three misses with logs (a disk-space, a compatibility and a language hard
// block) are bundles where the analyzer names no specific rule, only the generic low-confidence
// profiles (early-downlevel-error, rollback-failure), while their siblings got the specific rule
// (disk-space-downlevel, compat-app-auto-uninstall, language-mismatch-hard-block): the same result
// code (0xC1900208, 0xC1900204) is outweighed by the different-rule factor. Found on this set, so
// not tuned here: the analyzer should recognise these bundles (issue 18's corpus work).
test.failing('with findings: recall@3 ≥ 0.9 on the blind set', () => {
  expect(metrics(withFindings, queries).recallAt(3)).toBeGreaterThanOrEqual(0.9);
});

// recall@3 0.457: the customers' own words in this set share few character bigrams with their
// siblings' first mails (the dev set's 0.800 came from descriptions written beside the code);
// SafeOS, second-boot and cancelled runs described in words alone look alike.
test.failing('from the description alone: recall@3 ≥ 0.7 on the blind set', () => {
  expect(metrics(descriptionOnly, queries).recallAt(3)).toBeGreaterThanOrEqual(0.7);
});
