// The case store: cases, messages, artifacts, analyses, drafts and the append-only event log.
// Synchronous on purpose: SQLite is local, and a synchronous transaction cannot interleave.

import type { CaseView, DraftKind } from '../core/case/case-view';
import type { Analysis, ParsedMail } from '../core/types';

export type Direction = 'inbound' | 'outbound';
export type DraftStatus = 'pending' | 'live' | 'sent' | 'retiring' | 'retired';

export interface NewMessage {
  mail: ParsedMail;
  caseId: string | null;
  folder: string;
  arrivedAt: string;
  direction: Direction;
  successReport: boolean;
  logAttachments: number;
  intakeProblems: string[];
}

export interface NewArtifact {
  filename: string;
  sha256: string;
  size: number;
  problems: string[];
  analysis: Analysis | null;
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
  createdAt: string;
}

export interface CaseSummary {
  caseId: string;
  subject: string;
  status: 'open' | 'closed';
  customer: string | null;
  engineer: string;
}

export interface StoreEvent {
  at: string;
  caseId: string | null;
  messageId: string | null;
  actor: string;
  type: string;
  detail: Record<string, unknown>;
}

export interface CaseStore {
  transaction<T>(fn: () => T): T;
  getCursor(folder: string): string | null;
  setCursor(folder: string, value: string): void;
  hasMessage(messageId: string): boolean;
  /** The case any of these Message-IDs belongs to. */
  caseOfMessages(messageIds: string[]): string | null;
  getCase(caseId: string): CaseSummary | null;
  createCase(c: NewCase, at: string): void;
  insertMessage(m: NewMessage, at: string): number;
  insertArtifact(messageRowId: number, caseId: string, a: NewArtifact, at: string): void;
  markDirty(caseId: string): void;
  dirtyCases(): string[];
  clearDirty(caseId: string): void;
  loadCaseView(caseId: string): CaseView;
  loadAnalysis(analysisId: number): Analysis | null;
  insertDraft(d: Omit<StoredDraft, 'id' | 'status'>): number;
  draftByMessageId(messageId: string): StoredDraft | null;
  draftsWithStatus(status: DraftStatus): StoredDraft[];
  setDraftStatus(id: number, status: DraftStatus, at: string): void;
  appendEvent(e: StoreEvent): void;
  events(caseId: string | null): StoreEvent[];
  listCases(): CaseSummary[];
}
