// Mail casebot could not process, kept with its reason until an engineer replays it.

import type { QuarantinedMail, QuarantineRecords } from '../../ports/case-store';
import { nullable, type StatementCache } from './statements';

type Row = Record<string, unknown>;

export class SqliteQuarantine implements QuarantineRecords {
  constructor(private readonly sql: StatementCache) {}

  add(q: Omit<QuarantinedMail, 'id'>): number {
    return Number(
      this.sql('INSERT INTO quarantine (folder, mailbox_ref, message_id, reason, created_at) VALUES (?, ?, ?, ?, ?)').run(
        q.folder,
        q.mailboxRef,
        q.messageId,
        q.reason,
        q.createdAt,
      ).lastInsertRowid,
    );
  }

  pending(): QuarantinedMail[] {
    return (this.sql('SELECT * FROM quarantine WHERE released_at IS NULL ORDER BY id').all() as Row[]).map((r) => ({
      id: Number(r.id),
      folder: String(r.folder),
      mailboxRef: String(r.mailbox_ref),
      messageId: nullable(r.message_id),
      reason: String(r.reason),
      createdAt: String(r.created_at),
    }));
  }

  release(id: number, at: string): void {
    this.sql('UPDATE quarantine SET released_at = ? WHERE id = ?').run(at, id);
  }
}
