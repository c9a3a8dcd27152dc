// Case memory as plain data: what casebot remembers of a closed case, per finding, and what a
// lookup returns. The store keeps it; src/core/memory decides everything about it.

/**
 * What became of a finding's advice: the customer confirmed the fix worked, the fix is named
 * but nobody confirmed it, it was only worked around, nothing fixed it, or nobody knows (the
 * advice may have been given, but the case was solved by something else).
 */
export type Outcome = 'fixed_confirmed' | 'fixed_unconfirmed' | 'workaround' | 'no_fix' | 'unknown';

export interface FindingFingerprint {
  /** The analyzer rule; null for the error lines of a failure no rule explained. */
  rule: string | null;
  /** Rule id and its normalised key fields: equal keys are the same failure. Null without a rule. */
  key: string | null;
  title: string;
  /** Normalised codes: `x00000005`, `pair:c1900101-4000d`, `phase:finalize`, `op:update boot code`, `comp:ibslib`. */
  codes: string[];
  /** Services, drivers, products, plug-ins: `service:ensec64`, `product:dspclient`. */
  entities: string[];
  /** Masked line template → weight (1 + ln count). */
  templates: Record<string, number>;
  /** From a generic profile (a fallback rule): it restates the run's outcome, so its rule tells no failures apart. */
  generic?: boolean;
  /** Only the result code a customer quoted, no logs: it is compared by outcome alone. */
  described?: boolean;
}

export interface RememberedFinding extends FindingFingerprint {
  /** The fix commands of the finding, when a reply that was sent gave this advice. */
  advice: string[];
  adviceGiven: boolean;
  outcome: Outcome;
}

export interface RememberedCase {
  caseId: string;
  subject: string;
  closedAt: string;
  /** The customer's own words in their first mail. */
  problem: string;
  /** The closure's 问题总结, as the engineer wrote it. */
  fixText: string | null;
  findings: RememberedFinding[];
  /** Problem, findings and fix as search tokens (see tokens.ts). */
  textTokens: string[];
}

export interface MemoryQuery {
  findings: FindingFingerprint[];
  textTokens: string[];
}

/** What the store returns for a query: candidate cases with their text score and feedback. */
export interface MemoryCandidate {
  memory: Omit<RememberedCase, 'textTokens'>;
  /** SQLite's bm25() of the text column, sign flipped: higher is better, 0 when no text matched. */
  textBm25: number;
  useful: number;
  notUseful: number;
}

/** Corpus statistics for IDF: documents (cases) containing each term, and the number of cases. */
export interface TermStats {
  cases: number;
  docs: ReadonlyMap<string, number>;
}

export interface SimilarCase {
  caseId: string;
  subject: string;
  closedAt: string;
  score: number;
  /** The same finding (equal key), not only a similar one. */
  exact: boolean;
  /** The past finding that matched, with its advice and outcome. */
  finding: RememberedFinding | null;
  fixText: string | null;
  why: {
    codes: string[];
    entities: string[];
    templates: string[];
    text: number;
    /** The result and extend codes (`pair:`, `extend:`) of the query and of the past finding, to say what differs. */
    outcome: { query: string[]; past: string[] };
  };
}
