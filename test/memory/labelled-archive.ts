// Labelled archives of closed case threads, written by helpers who had not read casebot's code
// and answered by engineers who are not in the config: test/fixtures/memory-outside-dev (the
// development set the ranking is tuned on) and test/fixtures/memory-blind (never tuned on).
// Learned with `learn`'s own code, then each labelled thread queries a memory of all the others,
// as the live mailbox would.

import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { learnFromArchive, type LearnReport } from '../../src/app/learn-archive';
import { readBundles } from '../../src/app/read-bundles';
import { findCaseId } from '../../src/core/case/case-id';
import { ownText } from '../../src/core/mail/strip-quote';
import { memoryQuery } from '../../src/core/memory/query';
import { scoreCandidates, SIMILARITY_THRESHOLD } from '../../src/core/memory/rank';
import type { RememberedCase } from '../../src/core/memory/types';
import type { Analysis } from '../../src/core/types';
import { SqliteCaseMemory } from '../../src/adapters/sqlite/memory-store';
import { SqliteCaseStore } from '../../src/adapters/sqlite/sqlite-store';
import { MaildirMailbox } from '../../src/adapters/maildir/maildir-mailbox';
import { synonymsOf } from '../../src/app/case-memory';
import { isOurAddress } from '../../src/app/team-settings';
import { createCasebot, type Casebot } from '../../src/main';
import { loadConfig } from '../../src/config/load';
import { quiet } from '../helpers/run-pass';
import { tempMaildir } from '../helpers/temp-maildir';
import { writeTestConfig } from '../helpers/test-config';
import type { EvalCase } from './eval-set';
import { metrics, NOW, shown, shownRecall, wrongSuggestions, type Ranked } from './evaluate';

export const BLIND_DIR = path.join(__dirname, '../fixtures/memory-blind');
export const BLIND2_DIR = path.join(__dirname, '../fixtures/memory-blind2');
export const OUTSIDE_DEV_DIR = path.join(__dirname, '../fixtures/memory-outside-dev');
export const OUTSIDE_DEV2_DIR = path.join(__dirname, '../fixtures/memory-outside-dev2');
export const OUTSIDE_DEV3_DIR = path.join(__dirname, '../fixtures/memory-outside-dev3');
export const archiveOf = (dir: string) => path.join(dir, 'archive');

export interface ArchiveLabel {
  caseId: string;
  group: string;
  unique: boolean;
  kind: 'findings' | 'outcome-only' | 'description';
}

export function archiveLabels(dir: string): ArchiveLabel[] {
  const data = YAML.parse(fs.readFileSync(path.join(dir, 'labels.yaml'), 'utf8')) as ArchiveLabel[] | { threads: ArchiveLabel[] };
  const list = Array.isArray(data) ? data : data.threads;
  return list.map((l) => ({ caseId: l.caseId, group: l.group, unique: Boolean(l.unique), kind: l.kind }));
}

export interface ArchiveQuery extends EvalCase {
  kind: ArchiveLabel['kind'];
  memory: RememberedCase;
}

/** Learns the archive as `casebot learn` does; each labelled thread becomes a query with its first mail's words and its logs' analysis. */
export async function learnLabelledArchive(bot: Casebot, dir: string): Promise<{ report: LearnReport; queries: ArchiveQuery[] }> {
  const archive = new MaildirMailbox(archiveOf(dir));
  await archive.open();
  const report = await learnFromArchive(bot, archive);
  await archive.close();
  const labels = archiveLabels(dir);
  const firstWords = new Map<string, { at: string; text: string }>();
  const analyses = new Map<string, Analysis>();
  for (const name of fs.readdirSync(path.join(archiveOf(dir), 'cur')).sort()) {
    const raw = fs.readFileSync(path.join(archiveOf(dir), 'cur', name));
    const mail = await bot.codec.parse(raw, NOW);
    try {
      const caseId = findCaseId(mail.subject);
      if (!caseId || isOurAddress(bot.settings, mail.from)) continue;
      const first = firstWords.get(caseId);
      if (!first || mail.date < first.at) firstWords.set(caseId, { at: mail.date, text: ownText(mail.text) });
      const { artifacts } = await readBundles(bot, mail, caseId, { attachmentsOnly: true });
      for (const a of artifacts) if (a.analysis) analyses.set(caseId, a.analysis);
    } finally {
      bot.codec.release(mail);
    }
  }
  const queries = labels.map((l): ArchiveQuery => {
    const memory = bot.memory.recall(l.caseId);
    if (!memory) throw new Error(`${l.caseId} was not remembered`);
    const analysis = analyses.get(l.caseId) ?? null;
    return {
      id: l.caseId,
      group: l.group,
      kind: l.kind,
      description: firstWords.get(l.caseId)?.text ?? '',
      analysis: analysis!,
      summary: memory.fixText ?? '',
      memory,
    };
  });
  return { report, queries };
}

/** Each thread against a fresh memory of all the others (no statistic of the query leaks in). */
export function rankArchive(bot: Casebot, queries: ArchiveQuery[], withFindings: boolean): Ranked[] {
  const synonyms = synonymsOf(bot.knowledge);
  return queries.map((q) => {
    const store = new SqliteCaseStore(':memory:');
    const memory = new SqliteCaseMemory(store.database);
    for (const other of queries) if (other.id !== q.id) memory.remember(other.memory, NOW.toISOString());
    const query = memoryQuery(q.description, withFindings ? (q.analysis ?? null) : null, bot.knowledge, synonyms);
    const { candidates, stats } = memory.candidates(query, 100);
    store.close();
    return { query: q, ranking: scoreCandidates(query, candidates, stats, NOW), wordsOnly: query.findings.length === 0 };
  });
}

/** The figures of one archive, with its misses named: printed by the evaluation tests for the README. */
export function archiveFigures(name: string, withFindings: Ranked[], descriptionOnly: Ranked[], queries: ArchiveQuery[]): string {
  const m = metrics(withFindings, queries);
  const d = metrics(descriptionOnly, queries);
  const w = wrongSuggestions(withFindings, queries, SIMILARITY_THRESHOLD);
  const lines = [
    `case memory, ${name}: ${m.queries} answerable queries; with findings recall@3 ${m.recallAt(3).toFixed(3)} ` +
      `(shown ${shownRecall(withFindings, queries, SIMILARITY_THRESHOLD).toFixed(3)}), MRR ${m.mrr.toFixed(3)}; ` +
      `description only recall@3 ${d.recallAt(3).toFixed(3)}, MRR ${d.mrr.toFixed(3)}; unique causes: ${w.wrong} wrong suggestions in ${w.queries}`,
  ];
  const labels = sameProblemLabels(withFindings, queries);
  lines.push(`  同一问题 labels shown: ${labels.right} right, ${labels.wrong} on another cause`);
  for (const kind of ['findings', 'outcome-only', 'description'] as const) {
    const part = metrics(
      withFindings.filter((r) => (r.query as ArchiveQuery).kind === kind),
      queries,
    );
    lines.push(`  ${kind}: recall@3 ${part.recallAt(3).toFixed(3)} over ${part.queries}`);
  }
  const groupOf = new Map(queries.map((q) => [q.id, q.group]));
  for (const [label, results] of [
    ['miss', withFindings],
    ['miss (description only)', descriptionOnly],
  ] as const) {
    for (const r of results) {
      const q = r.query as ArchiveQuery;
      const peers = queries.filter((x) => x.id !== q.id && x.group === q.group).length;
      if (peers === 0 || r.ranking.slice(0, 3).some((s) => groupOf.get(s.caseId) === q.group)) continue;
      const top = r.ranking.slice(0, 3).map((s) => `${groupOf.get(s.caseId)} ${s.score.toFixed(2)}`);
      lines.push(`  ${label} ${q.id} ${q.group} [${q.kind}] -> ${top.join(' | ')}`);
    }
  }
  for (const r of withFindings) {
    const q = r.query as ArchiveQuery;
    const top = r.ranking.slice(0, 3);
    if (
      !top.some((s) => groupOf.get(s.caseId) === q.group) ||
      shown(r, SIMILARITY_THRESHOLD).some((s) => groupOf.get(s.caseId) === q.group)
    )
      continue;
    const best = top.find((s) => groupOf.get(s.caseId) === q.group)!;
    lines.push(`  below the threshold ${q.id} ${q.group} [${q.kind}]: ${best.score.toFixed(2)}`);
  }
  for (const r of withFindings) {
    const q = r.query as ArchiveQuery;
    if (queries.some((x) => x.id !== q.id && x.group === q.group)) continue;
    const wrong = shown(r, SIMILARITY_THRESHOLD);
    if (wrong.length > 0)
      lines.push(`  wrong ${q.id} ${q.group} -> ${wrong.map((s) => `${groupOf.get(s.caseId)} ${s.score.toFixed(2)}`).join(' | ')}`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * The thresholds swept on a development set, printed to tune them: SIMILARITY_THRESHOLD on the
 * queries with findings or a quoted code, WORDS_ONLY_THRESHOLD on the words-only ones (with the
 * thread's logs, and by its description alone).
 */
export function thresholdSweeps(name: string, run: ArchiveEvaluation): string {
  const { withFindings, descriptionOnly, queries } = run;
  const combined = [0.25, 0.28, 0.3, 0.32, 0.35, 0.4].map(
    (t) =>
      `  ${t.toFixed(2)}: shown recall@3 ${shownRecall(withFindings, queries, t).toFixed(3)}, wrong ${wrongSuggestions(withFindings, queries, t).wrong}/10`,
  );
  const words = [0.22, 0.24, 0.26, 0.28, 0.3, 0.32].map(
    (t) =>
      `  words ${t.toFixed(2)}: shown recall@3 ${shownRecall(withFindings, queries, SIMILARITY_THRESHOLD, t).toFixed(3)}, wrong ` +
      `${wrongSuggestions(withFindings, queries, SIMILARITY_THRESHOLD, t).wrong}/10; by description alone wrong ` +
      `${wrongSuggestions(descriptionOnly, queries, SIMILARITY_THRESHOLD, t).wrong}/10`,
  );
  return `threshold sweep, ${name}:\n${[...combined, ...words].join('\n')}\n`;
}

/** 同一问题（签名相同） is said only of an equal signature: how often, as shown, it named the same cause and another. */
export function sameProblemLabels(withFindings: Ranked[], queries: ArchiveQuery[]): { right: number; wrong: number } {
  const groupOf = new Map(queries.map((q) => [q.id, q.group]));
  const same = withFindings.flatMap((r) =>
    shown(r, SIMILARITY_THRESHOLD)
      .filter((s) => s.exact)
      .map((s) => groupOf.get(s.caseId) === r.query.group),
  );
  return { right: same.filter(Boolean).length, wrong: same.filter((x) => !x).length };
}

export interface ArchiveEvaluation {
  learned: LearnReport;
  queries: ArchiveQuery[];
  withFindings: Ranked[];
  descriptionOnly: Ranked[];
}

/** Registers a suite's hooks: the archive learned by a fresh casebot, every thread ranked with and without its logs. */
export function evaluateArchive(dir: string): ArchiveEvaluation {
  const evaluation = {} as ArchiveEvaluation;
  let bot: Casebot | undefined;
  beforeAll(async () => {
    bot = createCasebot(loadConfig(writeTestConfig({ maildir: tempMaildir() })), quiet);
    const { report, queries } = await learnLabelledArchive(bot, dir);
    Object.assign(evaluation, {
      learned: report,
      queries,
      withFindings: rankArchive(bot, queries, true),
      descriptionOnly: rankArchive(bot, queries, false),
    });
  }, 180_000);
  afterAll(async () => {
    await bot?.close();
  });
  return evaluation;
}

/** `learn` remembered every labelled thread of the archive, though none of its engineers is in the config. */
export function expectEveryThreadLearned(dir: string, run: ArchiveEvaluation): void {
  const labels = archiveLabels(dir);
  expect(labels.length).toBeGreaterThanOrEqual(40);
  expect(run.learned.open).toEqual([]);
  expect(run.learned.remembered.sort()).toEqual(labels.map((l) => l.caseId).sort());
}
