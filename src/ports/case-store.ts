// The case store: cases, messages, artifacts, analyses, drafts and the append-only event log.
// Synchronous on purpose: SQLite is local, and a synchronous transaction cannot interleave.

import type { CaseView, DraftKind } from '../core/case/case-view';
import type { DigestData } from '../core/digest/digest-data';
import type { Problem } from '../core/intake/problem';
import type { DraftEvent } from '../core/stats/draft-outcomes';
import type { Analysis, CaseEvent, ParsedMail } from '../core/types';

export type Direction = 'inbound' | 'outbound' | 'command';
/**
 * pending → appending → live → sent; live → edited (the engineer sent their own version) → sent;
 * any → retiring → retired. `appending` marks an APPEND that may or may not have landed.
 */
export type DraftStatus = 'pending' | 'appending' | 'live' | 'sent' | 'edited' | 'retiring' | 'retired';

export interface NewMessage {
  mail: ParsedMail;
  caseId: string | null;
  folder: string;
  /** Where the mail is in the mailbox (folder and id), to read it again (`/diagnose`). */
  mailboxRef: string;
  arrivedAt: string;
  direction: Direction;
  successReport: boolean;
  logAttachments: number;
  intakeProblems: Problem[];
  machine?: string | null;
}

export interface NewArtifact {
  filename: string;
  sha256: string;
  size: number;
  problems: Problem[];
  analysis: Analysis | null;
  /** The same bundle (by hash) was analyzed before on this case: its analysis is reused. */
  reused?: boolean;
}

export interface NewCase {
  caseId: string;
  subject: string;
  title: string;
  customer: string | null;
  engineer: string;
}

export interface StoredDraft {
  id: number;
  caseId: string;
  kind: DraftKind;
  messageId: string;
  basedOn: string;
  status: DraftStatus;
  raw: Buffer;
  bodyText: string;
  createdAt: string;
}

export type OutboxStatus = 'pending' | 'sending' | 'sent' | 'failed';

export interface OutboxEntry {
  id: number;
  messageId: string;
  purpose: 'customer' | 'engineer';
  caseId: string | null;
  draftId: number | null;
  envelopeFrom: string;
  envelopeTo: string[];
  raw: Buffer;
  status: OutboxStatus;
  attempts: number;
  nextAttemptAt: string;
  lastError: string | null;
}

export interface CaseSummary {
  caseId: string;
  subject: string;
  status: 'open' | 'closed';
  customer: string | null;
  engineer: string;
  snoozedUntil: string | null;
}

export type StoreEvent = CaseEvent;

export interface QuarantinedMail {
  id: number;
  folder: string;
  mailboxRef: string;
  messageId: string | null;
  reason: string;
  createdAt: string;
}

/** Several writes all-or-nothing, across every concern below (one database). */
export interface StoreTransactions {
  transaction<T>(fn: () => T): T;
  /**
   * Runs `work` with its transactions grouped into few commits: each still all-or-nothing, and
   * committed (with the ones before it) within a bounded count and time. Only for work whose
   * effects outside the store (drafts stored, mail sent) come after it: a crash undoes the last
   * group, and the work is done again.
   */
  batched<T>(work: () => Promise<T>): Promise<T>;
}

/** Cases, their mails, logs and analyses, and where each folder was read to. */
export interface CaseRecords {
  getCursor(folder: string): string | null;
  setCursor(folder: string, value: string): void;
  hasMessage(messageId: string): boolean;
  /** The stored mail with this Message-ID: its raw hash and folder. */
  messageRecord(messageId: string): { rawHash: string; folder: string } | null;
  /** The case any of these Message-IDs belongs to. */
  caseOfMessages(messageIds: string[]): string | null;
  getCase(caseId: string): CaseSummary | null;
  listCases(): CaseSummary[];
  createCase(c: NewCase, at: string): void;
  insertMessage(m: NewMessage, at: string): number;
  insertArtifact(messageRowId: number, caseId: string, a: NewArtifact, at: string): void;
  markDirty(caseId: string): void;
  dirtyCases(): string[];
  clearDirty(caseId: string): void;
  loadCaseView(caseId: string): CaseView;
  loadAnalysis(analysisId: number): Analysis | null;
  /** The analysis of the latest bundle with these bytes on this case, or null. */
  analysisOfBundle(caseId: string, sha256: string): number | null;
  setCaseStatus(caseId: string, status: 'open' | 'closed', at: string): void;
  snooze(caseId: string, until: string | null): void;
  /** Where a stored mail is in the mailbox, to read it again. */
  mailboxRef(messageId: string): string | null;
  messageRowId(messageId: string): number | null;
  /** Mails from this sender with this subject and text stored since `since`: a loop shows as many. */
  sameMailsSince(fromAddress: string, subject: string, text: string, since: string): number;
  /** Latest message of a case that carried logs. */
  latestLogMessage(caseId: string): string | null;
}

/** The drafts casebot made and what became of each. */
export interface DraftRecords {
  insert(d: Omit<StoredDraft, 'id' | 'status'>): number;
  live(caseId: string): StoredDraft | null;
  /** The newest draft of the case answering one of these mails that was not sent. */
  unsentAnswering(caseId: string, basedOn: string[]): StoredDraft | null;
  /** The draft events (created, sent, discarded, deleted, retired) since `since`, of one engineer's cases or all, in the order recorded. */
  history(since: string, engineer: string | null): DraftEvent[];
  /** The engineer sent it (as drafted or edited): record what went out and how close it was. */
  setSent(id: number, status: 'sent' | 'edited', sentMessageId: string, similarity: number, at: string): void;
  byMessageId(messageId: string): StoredDraft | null;
  withStatus(status: DraftStatus): StoredDraft[];
  /** Drafts not yet sent or retired whose text holds `placeholder` (left for an engineer to fill in). */
  unfinished(placeholder: string): StoredDraft[];
  setStatus(id: number, status: DraftStatus, at: string): void;
}

/** Mail waiting to be sent. */
export interface OutboxRecords {
  enqueue(e: Omit<OutboxEntry, 'id' | 'status' | 'attempts' | 'lastError'>, at: string): number;
  byMessageId(messageId: string): OutboxEntry | null;
  due(now: string): OutboxEntry[];
  update(id: number, fields: Partial<Pick<OutboxEntry, 'status' | 'attempts' | 'nextAttemptAt' | 'lastError'>> & { sentAt?: string }): void;
  /** Engineer mails to this address since `since`: for the per-recipient daily cap. */
  engineerMailsSince(address: string, since: string): number;
}

/** Mail set aside until an engineer replays it. */
export interface QuarantineRecords {
  add(q: Omit<QuarantinedMail, 'id'>): number;
  /** Not yet replayed, oldest first. */
  pending(): QuarantinedMail[];
  release(id: number, at: string): void;
}

/** The case timeline. */
export interface EventLog {
  append(e: StoreEvent): void;
  list(caseId: string | null): StoreEvent[];
}

/** What the digest reads, and which digests were made. */
export interface DigestQueries {
  /** By SQL: open cases (and those closed since `since`) of one engineer or all, and their drafts' events since `draftsSince`. */
  data(engineer: string | null, since: string, draftsSince: string): DigestData;
  sent(slot: string, recipient: string): boolean;
  record(slot: string, recipient: string, messageId: string, at: string): void;
  /** When the last digest to this recipient was made, or null. */
  lastAt(recipient: string): string | null;
}

/** Every concern over one database: the composition root holds it; app modules take the parts they use. */
export interface CaseStore extends StoreTransactions, CaseRecords {
  readonly drafts: DraftRecords;
  readonly outbox: OutboxRecords;
  readonly quarantine: QuarantineRecords;
  readonly events: EventLog;
  readonly digest: DigestQueries;
}
