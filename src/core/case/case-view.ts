// What the next-step decision needs to know about a case, as plain data read from the store.

import type { Problem } from '../intake/problem';
import type { Analysis, MailAddress } from '../types';

export type DraftKind = 'scope-request' | 'diagnosis' | 'log-rerequest' | 'closure';

export interface CaseMessage {
  messageId: string;
  direction: 'inbound' | 'outbound';
  /** When the mailbox received it (ISO 8601). */
  arrivedAt: string;
  /** The Date its sender's client wrote (ISO 8601): the order people read a thread in. */
  date: string;
  from: MailAddress | null;
  to: MailAddress[];
  cc: MailAddress[];
  subject: string;
  references: string[];
  /** The plain-text body as received, quotes included. */
  text: string;
  /** Which of casebot's drafts this sent mail was (as drafted or edited), or null. */
  sentDraftKind: DraftKind | null;
  successReport: boolean;
  /** Machine mail (auto-reply, bounce…): part of the record, never answered. */
  machine: string | null;
  /** Attachments that looked like logs, read or not. */
  logAttachments: number;
  /** Why attachments could not be used (corrupt zip, …); empty when all were read. */
  intakeProblems: Problem[];
  /** The analysis of this message's logs, when it had any that could be read. */
  analysis: (Analysis & { id: number }) | null;
}

export interface LiveDraft {
  id: number;
  kind: DraftKind;
  messageId: string;
  basedOn: string;
  createdAt: string;
}

export interface CaseView {
  caseId: string;
  subject: string;
  title: string;
  status: 'open' | 'closed';
  /** In the order the mailbox received them, oldest first. */
  messages: CaseMessage[];
  liveDraft: LiveDraft | null;
  /** What engineers noted on the case (/note), oldest first. */
  notes: string[];
  /** The engineers' accepted /close and /reopen, when their mail arrived. */
  statusCommands: { name: 'close' | 'reopen'; at: string }[];
}
