// Case memory: closed cases remembered per finding, searched by fingerprint and text. Lives
// beside the case store (the same SQLite database) but is its own port: the app asks it for
// candidates and core/memory ranks them.

import type { MemoryCandidate, MemoryQuery, RememberedCase, TermStats } from '../core/memory/types';

/** One mail of a case thread, as memory needs it. */
export interface ThreadMail {
  direction: 'inbound' | 'outbound';
  text: string;
  arrivedAt: string;
  successReport: boolean;
}

/** Open cases that share one failure signature. */
export interface SharedSignature {
  key: string;
  title: string;
  caseIds: string[];
}

export interface CaseMemory {
  /** Stores a closed case, replacing what was remembered of it before (feedback counts stay). */
  remember(memory: RememberedCase, at: string): void;
  recall(caseId: string): RememberedCase | null;
  size(): number;
  /** The cases worth ranking for a query (text or fingerprint terms in common, or an equal key), with corpus statistics. */
  candidates(query: MemoryQuery, limit: number): { candidates: MemoryCandidate[]; stats: TermStats };
  /** An engineer's /useful or /notuseful about a remembered case; false when it is not remembered. */
  feedback(caseId: string, useful: boolean): boolean;
  /** Line templates of successful runs: never part of a failure fingerprint. */
  normalTemplates(): Set<string>;
  addNormalTemplates(templates: string[]): number;
  /** Records that an open case shows this failure signature. */
  recordSignature(caseId: string, key: string, title: string, at: string): void;
  /** Signatures seen since `since` on two or more cases that are still open. */
  sharedSignatures(since: string): SharedSignature[];
  /** The mails of a case in the case store, oldest first (commands to casebot left out). */
  threadMails(caseId: string): ThreadMail[];
}
