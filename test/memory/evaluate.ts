// Leave-one-out evaluation of case memory on the labelled set: each case queries a memory of
// all the others (a fresh SQLite store each time, so no statistic of the query leaks in).

import type { Knowledge } from '../../src/core/analyze/knowledge';
import { memoryQuery } from '../../src/core/memory/query';
import { scoreCandidates, WORDS_ONLY_THRESHOLD } from '../../src/core/memory/rank';
import { rememberCase } from '../../src/core/memory/remember';
import type { CodeSynonyms } from '../../src/core/memory/tokens';
import type { MemoryQuery, RememberedCase, SimilarCase } from '../../src/core/memory/types';
import { SqliteCaseMemory } from '../../src/adapters/sqlite/memory-store';
import { SqliteCaseStore } from '../../src/adapters/sqlite/sqlite-store';
import type { EvalCase } from './eval-set';

export const NOW = new Date('2024-06-01T00:00:00Z');

export interface EvalOptions {
  knowledge: Knowledge;
  synonyms: CodeSynonyms;
  normalTemplates: ReadonlySet<string>;
  /** Extra text tokens (e.g. jieba words) added to both documents and queries. */
  extraTokens?: (text: string) => string[];
}

export interface Ranked {
  query: EvalCase;
  ranking: SimilarCase[];
  /** The memory query had words alone (no findings, no quoted code): WORDS_ONLY_THRESHOLD applies. */
  wordsOnly: boolean;
}

export function remembered(c: EvalCase, i: number, o: EvalOptions): RememberedCase {
  const memory = rememberCase(
    {
      caseId: c.id,
      subject: `[案例号: ${c.id} ]`,
      // Spread over two years, so decay plays its part.
      closedAt: new Date(NOW.getTime() - ((i * 8) % 730) * 86400000).toISOString(),
      problem: c.description,
      analyses: [c.analysis],
      sentTexts: c.analysis.findings.map((f) => [f.title, ...f.actions].join('\n')),
      summary: c.summary,
      customerConfirmed: true,
      fixedBy: [],
    },
    o.knowledge,
    o.synonyms,
    { normalTemplates: o.normalTemplates },
  );
  return o.extraTokens
    ? {
        ...memory,
        textTokens: [
          ...memory.textTokens,
          ...o.extraTokens([c.description, memory.fixText ?? '', ...c.analysis.findings.flatMap((f) => [f.title, f.summary])].join('\n')),
        ],
      }
    : memory;
}

function query(c: EvalCase, withFindings: boolean, o: EvalOptions): MemoryQuery {
  const q = memoryQuery(c.description, withFindings ? c.analysis : null, o.knowledge, o.synonyms, { normalTemplates: o.normalTemplates });
  if (!o.extraTokens) return q;
  const text = withFindings ? [c.description, ...c.analysis.findings.flatMap((f) => [f.title, f.summary])].join('\n') : c.description;
  return { ...q, textTokens: [...q.textTokens, ...o.extraTokens(text)] };
}

/** Each labelled case against the rest, ranked without threshold or limit. */
export function leaveOneOut(cases: EvalCase[], withFindings: boolean, o: EvalOptions): Ranked[] {
  const memories = cases.map((c, i) => remembered(c, i, o));
  return cases
    .filter((c) => c.group !== null)
    .map((c) => {
      const store = new SqliteCaseStore(':memory:');
      const memory = new SqliteCaseMemory(store.database);
      memories.forEach((m) => m.caseId !== c.id && memory.remember(m, NOW.toISOString()));
      const q = query(c, withFindings, o);
      const { candidates, stats } = memory.candidates(q, 100);
      store.close();
      return { query: c, ranking: scoreCandidates(q, candidates, stats, NOW), wordsOnly: q.findings.length === 0 };
    });
}

const groupOf = (cases: EvalCase[]) => new Map(cases.map((c) => [c.id, c.group]));

export interface Metrics {
  queries: number;
  recallAt: (k: number) => number;
  mrr: number;
}

/** Over the queries whose group has other members: recall@k (a same-group case in the top k) and MRR. */
export function metrics(results: Ranked[], cases: EvalCase[]): Metrics {
  const groups = groupOf(cases);
  const answerable = results.filter((r) => cases.some((c) => c.id !== r.query.id && c.group === r.query.group));
  const rankOf = (r: Ranked) => r.ranking.findIndex((s) => groups.get(s.caseId) === r.query.group) + 1;
  return {
    queries: answerable.length,
    recallAt: (k) => answerable.filter((r) => rankOf(r) > 0 && rankOf(r) <= k).length / answerable.length,
    mrr: answerable.reduce((s, r) => s + (rankOf(r) > 0 ? 1 / rankOf(r) : 0), 0) / answerable.length,
  };
}

/** What an engineer is shown: at most three cases at or above the threshold (exact matches always). */
/** What the engineer is shown: `threshold` for a query with findings or a quoted code, `wordsThreshold` for words alone. */
export function shown(r: Ranked, threshold: number, wordsThreshold = WORDS_ONLY_THRESHOLD): SimilarCase[] {
  const min = r.wordsOnly ? wordsThreshold : threshold;
  return r.ranking.filter((s) => s.exact || s.score >= min).slice(0, 3);
}

/** Unique-cause queries that were shown any case: every one of those is a wrong suggestion. */
export function wrongSuggestions(
  results: Ranked[],
  cases: EvalCase[],
  threshold: number,
  wordsThreshold = WORDS_ONLY_THRESHOLD,
): { queries: number; wrong: number } {
  const unique = results.filter((r) => !cases.some((c) => c.id !== r.query.id && c.group === r.query.group));
  return { queries: unique.length, wrong: unique.filter((r) => shown(r, threshold, wordsThreshold).length > 0).length };
}

/** Recall@3 as shown: a same-group case among the cases shown (threshold applied). */
export function shownRecall(results: Ranked[], cases: EvalCase[], threshold: number, wordsThreshold = WORDS_ONLY_THRESHOLD): number {
  const groups = groupOf(cases);
  const answerable = results.filter((r) => cases.some((c) => c.id !== r.query.id && c.group === r.query.group));
  return (
    answerable.filter((r) => shown(r, threshold, wordsThreshold).some((s) => groups.get(s.caseId) === r.query.group)).length /
    answerable.length
  );
}
