// What the daily digest reads, by SQL, and which digests were made (once per slot and recipient).

import { PLACEHOLDER } from '../../core/draft/build-draft';
import type { DigestData } from '../../core/digest/digest-data';
import type { DigestQueries, DraftRecords } from '../../ports/case-store';
import { eventOf } from './sqlite-events';
import { nullable, type StatementCache } from './statements';

type Row = Record<string, unknown>;

export class SqliteDigest implements DigestQueries {
  constructor(
    private readonly sql: StatementCache,
    private readonly drafts: DraftRecords,
  ) {}

  data(engineer: string | null, since: string, draftsSince: string): DigestData {
    const byEngineer = engineer === null ? '' : 'AND c.engineer = @engineer';
    const cases = (
      this.sql(
        `SELECT c.case_id, c.subject, c.engineer, c.customer, c.status, c.created_at, c.closed_at, c.snoozed_until,
                  c.last_inbound_at, c.last_outbound_at, c.top_finding, c.top_category,
                  (SELECT m.message_id FROM messages m WHERE m.case_id = c.case_id ORDER BY m.id LIMIT 1) AS thread_message_id,
                  (SELECT MIN(m.arrived_at) FROM messages m WHERE m.case_id = c.case_id) AS started_at,
                  d.kind AS draft_kind, d.created_at AS draft_created_at, instr(d.body_text, @placeholder) > 0 AS draft_unfinished
             FROM cases c
             LEFT JOIN drafts d ON d.case_id = c.case_id AND d.status IN ('pending', 'appending', 'live')
            WHERE (c.status = 'open' OR c.closed_at >= @since) ${byEngineer}
            ORDER BY c.case_id`,
      ).all({ since, engineer, placeholder: PLACEHOLDER }) as Row[]
    ).map((r) => ({
      caseId: String(r.case_id),
      subject: String(r.subject),
      engineer: String(r.engineer),
      customer: nullable(r.customer),
      status: r.status === 'closed' ? ('closed' as const) : ('open' as const),
      startedAt: String(r.started_at ?? r.created_at),
      closedAt: nullable(r.closed_at),
      snoozedUntil: nullable(r.snoozed_until),
      lastInboundAt: nullable(r.last_inbound_at),
      lastOutboundAt: nullable(r.last_outbound_at),
      threadMessageId: nullable(r.thread_message_id),
      topFinding: nullable(r.top_finding),
      topCategory: nullable(r.top_category),
      draftKind: nullable(r.draft_kind),
      draftCreatedAt: nullable(r.draft_created_at),
      draftUnfinished: r.draft_unfinished === 1,
    }));
    const events = (
      this.sql(
        `SELECT e.* FROM events e LEFT JOIN cases c ON c.case_id = e.case_id
            WHERE e.type IN ('mail-unmatched', 'mail-quarantined', 'command-refused', 'send-failed', 'mail-received', 'mailbox-fault', 'draft-refused', 'draft-failed')
              AND e.at >= @since ${engineer === null ? '' : 'AND (c.engineer = @engineer OR e.case_id IS NULL)'}
            ORDER BY e.id`,
      ).all({ since, engineer }) as Row[]
    )
      .map(eventOf)
      // Received mail matters here only when its bundle could not be used.
      .filter(
        (e) =>
          e.type !== 'mail-received' ||
          (Array.isArray(e.detail.bundles) && e.detail.bundles.some((b: { problems?: unknown[] }) => (b.problems?.length ?? 0) > 0)),
      );
    return { cases, events, draftEvents: this.drafts.history(draftsSince, engineer) };
  }

  sent(slot: string, recipient: string): boolean {
    return this.sql('SELECT 1 FROM digests WHERE slot = ? AND recipient = ?').get(slot, recipient) !== undefined;
  }

  record(slot: string, recipient: string, messageId: string, at: string): void {
    this.sql('INSERT OR IGNORE INTO digests (slot, recipient, message_id, created_at) VALUES (?, ?, ?, ?)').run(
      slot,
      recipient,
      messageId,
      at,
    );
  }

  lastAt(recipient: string): string | null {
    const row = this.sql('SELECT MAX(created_at) AS at FROM digests WHERE recipient = ?').get(recipient) as Row;
    return nullable(row.at);
  }
}
