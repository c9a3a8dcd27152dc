// What the digest is built from: one row per case and the day's notable events, as the store's
// SQL returns them. Plain data; build-digest.ts decides what it means.

import type { DraftEvent } from '../stats/draft-outcomes';
import type { CaseEvent } from '../types';

export interface DigestCaseRow {
  caseId: string;
  subject: string;
  engineer: string;
  customer: string | null;
  status: 'open' | 'closed';
  /** When the thread's first mail arrived. */
  startedAt: string;
  closedAt: string | null;
  snoozedUntil: string | null;
  lastInboundAt: string | null;
  lastOutboundAt: string | null;
  /** The first message of the thread, to find it in the mail client. */
  threadMessageId: string | null;
  topFinding: string | null;
  topCategory: string | null;
  draftKind: string | null;
  draftCreatedAt: string | null;
  /** The draft still holds text only an engineer can fill in. */
  draftUnfinished: boolean;
}

export type DigestEventRow = CaseEvent;

export interface DigestData {
  /** Open cases, and cases closed since the last digest. */
  cases: DigestCaseRow[];
  /** Intake problems, unmatched mail, refused commands, failed sends since the last digest. */
  events: DigestEventRow[];
  /** The draft events (made, sent, discarded…) of the last week: how the drafts were taken up. */
  draftEvents: DraftEvent[];
}
