// Drafts casebot made, and what became of them (appended, sent as drafted or edited, discarded, deleted,
// retired): the rows the Drafts folder is kept in step with and the stats read.

import type { DraftKind } from '../../core/case/case-view';
import type { DraftEdits, DraftEvent } from '../../core/stats/draft-outcomes';
import type { DraftRecords, DraftStatus, StoredDraft } from '../../ports/case-store';
import type { StatementCache } from './statements';

type Row = Record<string, unknown>;

export class SqliteDrafts implements DraftRecords {
  constructor(private readonly sql: StatementCache) {}

  insert(d: Omit<StoredDraft, 'id' | 'status'>): number {
    const result = this.sql(
      `INSERT INTO drafts (case_id, kind, message_id, based_on, status, raw, body_text, created_at, updated_at) VALUES (?, ?, ?, ?, 'pending', ?, ?, ?, ?)`,
    ).run(d.caseId, d.kind, d.messageId, d.basedOn, d.raw, d.bodyText, d.createdAt, d.createdAt);
    return Number(result.lastInsertRowid);
  }

  live(caseId: string): StoredDraft | null {
    const row = this.sql(
      `SELECT * FROM drafts WHERE case_id = ? AND status IN ('pending', 'appending', 'live') ORDER BY id DESC LIMIT 1`,
    ).get(caseId) as Row | undefined;
    return row ? toDraft(row) : null;
  }

  unsentAnswering(caseId: string, basedOn: string[]): StoredDraft | null {
    if (basedOn.length === 0) return null;
    const row = this.sql(
      `SELECT * FROM drafts WHERE case_id = ? AND status != 'sent' AND based_on IN (SELECT value FROM json_each(?)) ORDER BY id DESC LIMIT 1`,
    ).get(caseId, JSON.stringify(basedOn)) as Row | undefined;
    return row ? toDraft(row) : null;
  }

  history(since: string, engineer: string | null): DraftEvent[] {
    // Drafts made since `since` and what happened to them since (a send can come days later). Only
    // the fields the outcome needs are taken out of the JSON here: tens of thousands of rows.
    const statement = this.sql(
      `SELECT e.at, e.case_id, e.message_id, e.type, e.detail_json
         FROM events e INDEXED BY events_drafts ${engineer === null ? '' : 'JOIN cases c ON c.case_id = e.case_id AND c.engineer = @engineer'}
        WHERE e.type IN ('draft-created', 'draft-sent', 'draft-discarded', 'draft-deleted', 'draft-retired') AND e.at >= @since
        ORDER BY e.id`,
    );
    const out: DraftEvent[] = [];
    for (const [at, caseId, messageId, type, json] of statement.raw(true).iterate({ since, engineer }) as Iterable<
      [string, string, string | null, string, string]
    >) {
      const d = JSON.parse(json) as { kind?: string; draft?: string; similarity?: number; findings?: string[]; edits?: DraftEdits };
      out.push({
        at,
        caseId,
        messageId,
        type,
        kind: d.kind ?? null,
        draft: d.draft ?? null,
        similarity: typeof d.similarity === 'number' ? d.similarity : null,
        findings: Array.isArray(d.findings) ? d.findings : [],
        edits: d.edits ?? null,
      });
    }
    return out;
  }

  setSent(id: number, status: 'sent' | 'edited', sentMessageId: string, similarity: number, at: string): void {
    this.sql('UPDATE drafts SET status = ?, sent_message_id = ?, similarity = ?, updated_at = ? WHERE id = ?').run(
      status,
      sentMessageId,
      similarity,
      at,
      id,
    );
  }

  byMessageId(messageId: string): StoredDraft | null {
    const row = this.sql('SELECT * FROM drafts WHERE message_id = ?').get(messageId) as Row | undefined;
    return row ? toDraft(row) : null;
  }

  withStatus(status: DraftStatus): StoredDraft[] {
    return (this.sql('SELECT * FROM drafts WHERE status = ? ORDER BY id').all(status) as Row[]).map(toDraft);
  }

  unfinished(placeholder: string): StoredDraft[] {
    return (
      this.sql(`SELECT * FROM drafts WHERE status IN ('pending', 'appending', 'live') AND instr(body_text, ?) > 0 ORDER BY id`).all(
        placeholder,
      ) as Row[]
    ).map(toDraft);
  }

  setStatus(id: number, status: DraftStatus, at: string): void {
    this.sql('UPDATE drafts SET status = ?, updated_at = ? WHERE id = ?').run(status, at, id);
  }
}

function toDraft(row: Row): StoredDraft {
  return {
    id: Number(row.id),
    caseId: String(row.case_id),
    kind: String(row.kind) as DraftKind,
    messageId: String(row.message_id),
    basedOn: String(row.based_on),
    status: String(row.status) as DraftStatus,
    raw: row.raw as Buffer,
    bodyText: String(row.body_text ?? ''),
    createdAt: String(row.created_at),
  };
}
