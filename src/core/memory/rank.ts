// Ranks remembered cases against a query. An exact finding match (equal key) comes first:
// confirmed fixes first, then the most recent. Every other case gets a weighted score,
//
//   score = (0.4·codes/entities + 0.3·templates + 0.3·text) / (weights of the parts the query has)
//           × decay × feedback
//
//   codes/entities  IDF-weighted overlap of the query finding's codes with the past finding's:
//                   Σ idf(shared) / (Σ idf(query) + Σ idf(past only)); an entity (service,
//                   product, driver) counts only when both name it. A quoted dialog code without
//                   logs, and a generic profile on either side, are compared by outcome alone
//                   (no templates): 1 same result and extend code, ½ same result code
//   templates       cosine of the IDF-weighted template bags
//   text            SQLite's bm25() of the problem/finding/fix text, divided by the sum of the
//                   query terms' IDF (what a document matching every term once would score), ≤ 1
//   decay           0.5 + 0.5·2^(−age/1 year): old cases count, new ones more
//   feedback        1 + 0.1·/useful − 0.2·/notuseful, kept within [0.5, 1.3]
//   difference      × 0.6 when both findings come from different specific rules: the rules are
//                   written to tell failures apart, so shared boilerplate (MOUPG phase changes,
//                   0xC1900101) must not make two hard blocks look alike; so do two findings of
//                   one rule whose keys hold different extend codes. Where a generic profile
//                   (a fallback rule, reported when no specific rule recognised the run) or no
//                   rule speaks for either side, × 0.6 when the outcomes differ instead: another
//                   result code, or another extend code where both are known
//
// A part the query lacks (a description-only query has no codes or templates) is left out
// rather than counted as zero, and so are the words while fewer than MIN_CASES_FOR_WORDS cases
// are remembered. Only cases at or above the threshold are shown, at most three; a query of
// words alone has its own (WORDS_ONLY_THRESHOLD).

import type { FindingFingerprint, MemoryCandidate, MemoryQuery, Outcome, RememberedFinding, SimilarCase, TermStats } from './types';

export const WEIGHTS = { codes: 0.4, templates: 0.3, text: 0.3 } as const;
/**
 * Tuned on the development sets (the labelled set and the two outside archives in test/memory,
 * never the blind one): 0.30 is the lowest threshold at which none of them shows more wrong
 * suggestions, 0.28 already adds one, so 0.32 keeps a step of margin.
 */
export const SIMILARITY_THRESHOLD = 0.32;
/**
 * For a query of words alone (no logs, no quoted code): its score is the share of an ideal text
 * match, which a customer's description never reaches, so it lives on a lower scale than a score
 * that also compares codes and lines. Tuned on the same development sets, by the same rule: 0.28
 * is the lowest at which none shows more wrong suggestions (by their descriptions alone as well),
 * 0.26 already adds one, so 0.30 keeps a step of margin.
 */
export const WORDS_ONLY_THRESHOLD = 0.3;
const OTHER_RULE_FACTOR = 0.6;
/**
 * Below this many remembered cases the words are left out: term statistics of a handful of
 * cases cannot tell a rare word from one every mail uses (您好, 协助, 新系统), so a description
 * would match whatever was remembered first. Codes and line templates still count.
 */
export const MIN_CASES_FOR_WORDS = 20;
export const MAX_SIMILAR = 3;
const HALF_LIFE_DAYS = 365;
const DAY_MS = 86400000;

const OUTCOME_ORDER: Record<Outcome, number> = { fixed_confirmed: 0, fixed_unconfirmed: 1, workaround: 2, unknown: 3, no_fix: 4 };

/**
 * Whether a term is worth searching for: one that most of a large memory shares (升级, 失败,
 * 0xC1900101) costs the full-text search the most and tells the least, so it is left out of the
 * search and of the text score, while still counting in the code overlap.
 */
export function isSearchTerm(docs: number, cases: number): boolean {
  return docs > 0 && docs <= Math.max(200, 0.05 * cases);
}

/** FTS terms of a fingerprint's parts: letters and digits only, so FTS5 and PostgreSQL keep them whole. */
export function signatureTerm(kind: 'k' | 'c' | 'e' | 't', value: string): string {
  return `${kind}${hash(value)}`;
}

export function fingerprintTerms(fp: FindingFingerprint): string[] {
  return [
    ...(fp.key ? [signatureTerm('k', fp.key)] : []),
    ...fp.codes.map((c) => signatureTerm('c', c)),
    ...fp.entities.map((e) => signatureTerm('e', e)),
    ...Object.keys(fp.templates).map((t) => signatureTerm('t', t)),
  ];
}

export interface RankOptions {
  threshold?: number;
  limit?: number;
}

export function rankSimilar(
  query: MemoryQuery,
  candidates: MemoryCandidate[],
  stats: TermStats,
  now: Date,
  options: RankOptions = {},
): SimilarCase[] {
  const threshold = options.threshold ?? thresholdFor(query);
  const limit = options.limit ?? MAX_SIMILAR;
  return scoreCandidates(query, candidates, stats, now)
    .filter((s) => s.exact || s.score >= threshold)
    .slice(0, limit);
}

/** The score a case needs to be shown for this query. */
export function thresholdFor(query: MemoryQuery): number {
  return query.findings.length === 0 ? WORDS_ONLY_THRESHOLD : SIMILARITY_THRESHOLD;
}

/** Every candidate scored and ordered, no threshold: for evaluation. */
export function scoreCandidates(query: MemoryQuery, candidates: MemoryCandidate[], stats: TermStats, now: Date): SimilarCase[] {
  const idf = idfOf(stats);
  const queryTerms = new Set(query.findings.flatMap(fingerprintTerms));
  const defaultIdf = mean([...queryTerms].map(idf)) || 1;
  const pastIdf = (term: string) => (queryTerms.has(term) ? idf(term) : defaultIdf);
  const textNorm = [...new Set(query.textTokens)].reduce((sum, t) => sum + bm25Idf(stats, t), 0);
  const wordsCount = query.textTokens.length > 0 && stats.cases >= MIN_CASES_FOR_WORDS;

  const scored = candidates.map((c): SimilarCase => {
    const text = wordsCount && textNorm > 0 ? Math.min(1, c.textBm25 / textNorm) : 0;
    let best: { score: number; exact: boolean; finding: RememberedFinding | null; why: SimilarCase['why'] } = {
      score: -1,
      exact: false,
      finding: null,
      why: { codes: [], entities: [], templates: [], text, outcome: { query: [], past: [] } },
    };
    type Pair = [FindingFingerprint | null, RememberedFinding | null];
    const pairs: Pair[] =
      query.findings.length > 0
        ? query.findings.flatMap((q): Pair[] => (c.memory.findings.length > 0 ? c.memory.findings.map((p): Pair => [q, p]) : [[q, null]]))
        : [[null, bestKnownFinding(c.memory.findings)]];
    for (const [q, p] of pairs) {
      // A key that restates the outcome (generic, on either side) is not the signature of a cause.
      const exact = q !== null && p !== null && q.key !== null && !q.generic && !p.generic && q.key === p.key;
      const parts: [number, number][] = [];
      const why = {
        codes: [] as string[],
        entities: [] as string[],
        templates: [] as string[],
        text,
        outcome: { query: outcomeOf(q), past: outcomeOf(p) },
      };
      // A quoted result code is all the customer gave, and a generic profile says no more than the
      // outcome (its lines are what every failed run writes): the outcome alone is compared.
      const outcomeOnly = q !== null && (q.described === true || (p !== null && (q.generic === true || p.generic === true)));
      if (outcomeOnly) {
        parts.push([WEIGHTS.codes, p ? outcomeMatch(q, p) : 0]);
        if (p) why.codes = q.codes.filter((x) => p.codes.includes(x));
      } else if (q && (q.codes.length > 0 || q.entities.length > 0)) {
        // An entity counts only when both name it: another service or product under the same kind
        // of finding is the same problem on another machine's software (the key tells them apart).
        const sharedEntities = p ? q.entities.filter((x) => p.entities.includes(x)) : [];
        const qSet = [...q.codes.map((x) => signatureTerm('c', x)), ...sharedEntities.map((x) => signatureTerm('e', x))];
        const pSet = new Set(p ? [...p.codes.map((x) => signatureTerm('c', x)), ...sharedEntities.map((x) => signatureTerm('e', x))] : []);
        const shared = qSet.filter((t) => pSet.has(t));
        const qIdf = qSet.reduce((s, t) => s + idf(t), 0);
        const pOnly = [...pSet].filter((t) => !qSet.includes(t)).reduce((s, t) => s + pastIdf(t), 0);
        parts.push([WEIGHTS.codes, shared.reduce((s, t) => s + idf(t), 0) / (qIdf + pOnly || 1)]);
        if (p) {
          why.codes = q.codes.filter((x) => p.codes.includes(x));
          why.entities = q.entities.filter((x) => p.entities.includes(x));
        }
      }
      if (q && !outcomeOnly && Object.keys(q.templates).length > 0) {
        parts.push([WEIGHTS.templates, p ? cosine(q.templates, p.templates, idf, pastIdf) : 0]);
        if (p) why.templates = Object.keys(q.templates).filter((t) => t in p.templates);
      }
      if (wordsCount) parts.push([WEIGHTS.text, text]);
      const weight = parts.reduce((s, [w]) => s + w, 0);
      const score = weight > 0 ? (differenceFactor(q, p) * parts.reduce((s, [w, v]) => s + w * v, 0)) / weight : 0;
      if ((exact && !best.exact) || (exact === best.exact && score > best.score)) best = { score, exact, finding: p, why };
    }
    const age = Math.max(0, (now.getTime() - Date.parse(c.memory.closedAt)) / DAY_MS);
    const decay = 0.5 + 0.5 * Math.pow(2, -age / HALF_LIFE_DAYS);
    const feedback = Math.min(1.3, Math.max(0.5, 1 + 0.1 * c.useful - 0.2 * c.notUseful));
    return {
      caseId: c.memory.caseId,
      subject: c.memory.subject,
      closedAt: c.memory.closedAt,
      score: Math.max(0, best.score) * decay * feedback,
      exact: best.exact,
      finding: best.finding,
      fixText: c.memory.fixText,
      why: best.why,
    };
  });
  return scored.sort((a, b) => {
    if (a.exact !== b.exact) return a.exact ? -1 : 1;
    if (a.exact) {
      const byOutcome = OUTCOME_ORDER[a.finding!.outcome] - OUTCOME_ORDER[b.finding!.outcome];
      return byOutcome !== 0 ? byOutcome : b.closedAt.localeCompare(a.closedAt);
    }
    return b.score - a.score;
  });
}

/**
 * What tells two findings apart outright. Two specific rules are written to tell failures apart,
 * so different rules differ, and so do two findings of one rule whose keys hold different extend
 * codes (a boot failure in SAFE_OS, 0x20017, and one at first boot, 0x30017). Where a generic
 * profile or no rule speaks for either side, the rule ids say nothing and the outcome does: another
 * result code, or another extend code where both are known, is another failure however alike the lines.
 */
function differenceFactor(q: FindingFingerprint | null, p: FindingFingerprint | null): number {
  if (!q || !p) return 1;
  if (isSpecific(q) && isSpecific(p)) return q.rule !== p.rule || keyedExtendsDiffer(q, p) || errorsDiffer(q, p) ? OTHER_RULE_FACTOR : 1;
  return outcomesDiffer(q, p) ? OTHER_RULE_FACTOR : 1;
}

/** Both name the error their operation failed with, and no error is the same. */
function errorsDiffer(q: FindingFingerprint, p: FindingFingerprint): boolean {
  const [qErrors, pErrors] = [errorsOf(q), errorsOf(p)];
  return qErrors.length > 0 && pErrors.length > 0 && !qErrors.some((e) => pErrors.includes(e));
}

const errorsOf = (fp: FindingFingerprint) => fp.codes.filter((c) => c.startsWith('err:'));

/** A rule whose key holds the extend code says by that that the extend code tells its failures apart. */
function keyedExtendsDiffer(q: FindingFingerprint, p: FindingFingerprint): boolean {
  const extend = (fp: FindingFingerprint) => /\|extended=([^|]+)/.exec(fp.key ?? '')?.[1] ?? null;
  const [qExtend, pExtend] = [extend(q), extend(p)];
  return qExtend !== null && pExtend !== null && qExtend !== pExtend;
}

const isSpecific = (fp: FindingFingerprint) => fp.rule !== null && !fp.generic;

function outcomesDiffer(q: FindingFingerprint, p: FindingFingerprint): boolean {
  return errorsDiffer(q, p) || (resultPairs(q).length > 0 && resultPairs(p).length > 0 && outcomeMatch(q, p) === 0);
}

/**
 * 1 for the same result and extend code, ½ for the same result code where one extend code is
 * unknown, else 0; 0 too where both name the error beneath and it differs.
 */
function outcomeMatch(q: FindingFingerprint, p: FindingFingerprint): number {
  if (errorsDiffer(q, p)) return 0;
  let best = 0;
  for (const [qResult, qExtend] of resultPairs(q))
    for (const [pResult, pExtend] of resultPairs(p))
      if (qResult === pResult) best = Math.max(best, qExtend === pExtend ? 1 : !qExtend || !pExtend ? 0.5 : 0);
  return best;
}

const resultPairs = (fp: FindingFingerprint) => fp.codes.filter((c) => c.startsWith('pair:')).map((c) => c.slice(5).split('-'));

/** A fingerprint's result, extend and underlying error codes: what tells 0xC1900101-0x20017 from -0x40017. */
function outcomeOf(fp: FindingFingerprint | null): string[] {
  return fp ? fp.codes.filter((c) => c.startsWith('pair:') || c.startsWith('extend:') || c.startsWith('err:')) : [];
}

/** Without findings to compare, the finding whose fix is best known speaks for the case. */
function bestKnownFinding(findings: RememberedFinding[]): RememberedFinding | null {
  return [...findings].sort((a, b) => OUTCOME_ORDER[a.outcome] - OUTCOME_ORDER[b.outcome])[0] ?? null;
}

function idfOf(stats: TermStats): (term: string) => number {
  return (term) => {
    const df = stats.docs.get(term) ?? 0;
    return Math.log(1 + (stats.cases - df + 0.5) / (df + 0.5));
  };
}

/** The IDF SQLite's bm25() uses, so the text score can be normalised against it. */
function bm25Idf(stats: TermStats, term: string): number {
  const df = stats.docs.get(term) ?? 0;
  // A term no case has cannot be matched, and a common one is not searched: neither may lower the score.
  if (!isSearchTerm(df, stats.cases)) return 0;
  const idf = Math.log((stats.cases - df + 0.5) / (df + 0.5));
  return idf > 0 ? idf : 1e-6;
}

function cosine(q: Record<string, number>, p: Record<string, number>, idf: (t: string) => number, pastIdf: (t: string) => number): number {
  let dot = 0;
  let qn = 0;
  let pn = 0;
  for (const [t, w] of Object.entries(q)) {
    const i = idf(signatureTerm('t', t));
    qn += (w * i) ** 2;
    if (t in p) dot += w * i * p[t]! * i;
  }
  for (const [t, w] of Object.entries(p)) pn += (w * pastIdf(signatureTerm('t', t))) ** 2;
  return qn > 0 && pn > 0 ? dot / Math.sqrt(qn * pn) : 0;
}

function mean(values: number[]): number {
  return values.length === 0 ? 0 : values.reduce((s, v) => s + v, 0) / values.length;
}

/** 52-bit FNV-1a in two halves: short, stable, letters and digits only. */
function hash(value: string): string {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ 0x5bd1e995;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x01000193) ^ (b >>> 13);
  }
  return (a >>> 0).toString(16).padStart(8, '0') + ((b >>> 0) & 0xfffff).toString(16).padStart(5, '0');
}
