// The case timeline: what happened, when, by whom; the digest and `casebot case` read it.

import type { CaseEvent, EventType } from '../../core/types';
import type { EventLog, StoreEvent } from '../../ports/case-store';
import type { StatementCache } from './statements';

type Row = Record<string, unknown>;

export class SqliteEvents implements EventLog {
  constructor(private readonly sql: StatementCache) {}

  append(e: StoreEvent): void {
    this.sql('INSERT INTO events (at, case_id, message_id, actor, type, detail_json) VALUES (?, ?, ?, ?, ?, ?)').run(
      e.at,
      e.caseId,
      e.messageId,
      e.actor,
      e.type,
      JSON.stringify(e.detail),
    );
  }

  list(caseId: string | null): StoreEvent[] {
    const rows = (
      caseId === null
        ? this.sql('SELECT * FROM events ORDER BY id').all()
        : this.sql('SELECT * FROM events WHERE case_id = ? ORDER BY id').all(caseId)
    ) as Row[];
    return rows.map(eventOf);
  }
}

export function eventOf(r: Row): StoreEvent {
  // What the store holds is what casebot wrote: one of EVENT_TYPES with its detail (an older one
  // at worst, which labels show as is).
  return {
    at: String(r.at),
    caseId: r.case_id === null ? null : String(r.case_id),
    messageId: r.message_id === null ? null : String(r.message_id),
    actor: String(r.actor),
    type: String(r.type) as EventType,
    detail: JSON.parse(String(r.detail_json)) as unknown,
  } as CaseEvent;
}
