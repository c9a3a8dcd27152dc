// Mail waiting to be sent (an approved draft, an engineer notice, a digest): queued in the same
// transaction as what caused it, sent and retried by deliver-outbox.

import type { OutboxEntry, OutboxRecords, OutboxStatus } from '../../ports/case-store';
import type { StatementCache } from './statements';

type Row = Record<string, unknown>;

export class SqliteOutbox implements OutboxRecords {
  constructor(private readonly sql: StatementCache) {}

  enqueue(e: Omit<OutboxEntry, 'id' | 'status' | 'attempts' | 'lastError'>, at: string): number {
    const result = this.sql(
      `INSERT INTO outbox (message_id, purpose, case_id, draft_id, envelope_from, envelope_to, raw, status, next_attempt_at, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?)`,
    ).run(e.messageId, e.purpose, e.caseId, e.draftId, e.envelopeFrom, JSON.stringify(e.envelopeTo), e.raw, e.nextAttemptAt, at);
    return Number(result.lastInsertRowid);
  }

  byMessageId(messageId: string): OutboxEntry | null {
    const row = this.sql('SELECT * FROM outbox WHERE message_id = ?').get(messageId) as Row | undefined;
    return row ? toOutbox(row) : null;
  }

  due(now: string): OutboxEntry[] {
    return (
      this.sql("SELECT * FROM outbox WHERE status IN ('pending', 'sending') AND next_attempt_at <= ? ORDER BY id").all(now) as Row[]
    ).map(toOutbox);
  }

  update(
    id: number,
    fields: Partial<Pick<OutboxEntry, 'status' | 'attempts' | 'nextAttemptAt' | 'lastError'>> & { sentAt?: string },
  ): void {
    const columns: Record<string, string> = {
      status: 'status',
      attempts: 'attempts',
      nextAttemptAt: 'next_attempt_at',
      lastError: 'last_error',
      sentAt: 'sent_at',
    };
    const entries = Object.entries(fields).filter(([k]) => k in columns);
    if (entries.length === 0) return;
    this.sql(`UPDATE outbox SET ${entries.map(([k]) => `${columns[k]} = ?`).join(', ')} WHERE id = ?`).run(
      ...entries.map(([, v]) => v),
      id,
    );
  }

  engineerMailsSince(address: string, since: string): number {
    const row = this.sql("SELECT COUNT(*) AS n FROM outbox WHERE purpose = 'engineer' AND created_at >= ? AND envelope_to LIKE ?").get(
      since,
      `%"${address.toLowerCase()}"%`,
    ) as Row;
    return Number(row.n);
  }
}

function toOutbox(row: Row): OutboxEntry {
  return {
    id: Number(row.id),
    messageId: String(row.message_id),
    purpose: row.purpose === 'engineer' ? 'engineer' : 'customer',
    caseId: row.case_id === null ? null : String(row.case_id),
    draftId: row.draft_id === null ? null : Number(row.draft_id),
    envelopeFrom: String(row.envelope_from),
    envelopeTo: JSON.parse(String(row.envelope_to)),
    raw: row.raw as Buffer,
    status: String(row.status) as OutboxStatus,
    attempts: Number(row.attempts),
    nextAttemptAt: String(row.next_attempt_at),
    lastError: row.last_error === null ? null : String(row.last_error),
  };
}
