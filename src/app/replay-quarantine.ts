// `casebot quarantine replay`: takes quarantined mail through the pipeline again, once the
// cause is fixed (a new rule, more time, a repaired server). Mail that still fails stays.

import type { MailRef } from '../ports/mailbox';
import { advanceCase } from './advance-case';
import { emptyReport, type CasebotDeps, type PassReport } from './casebot-deps';
import { deliverOutbox } from './deliver-outbox';
import { ingestWithinBudget } from './ingest-mail';
import { syncDrafts } from './sync-drafts';

export interface ReplayResult {
  id: number;
  ok: boolean;
}

export async function replayQuarantine(deps: CasebotDeps, ids: number[] | null): Promise<{ results: ReplayResult[]; report: PassReport }> {
  const report = emptyReport();
  const results: ReplayResult[] = [];
  for (const q of deps.store.quarantine.pending().filter((q) => ids === null || ids.includes(q.id))) {
    const ok = await ingestWithinBudget(deps, JSON.parse(q.mailboxRef) as MailRef, report, { replay: true });
    if (ok) {
      const at = deps.clock().toISOString();
      deps.store.transaction(() => {
        deps.store.quarantine.release(q.id, at);
        deps.store.events.append({
          at,
          caseId: null,
          messageId: q.messageId,
          actor: 'casebot',
          type: 'quarantine-replayed',
          detail: { id: q.id, reason: q.reason },
        });
      });
    }
    results.push({ id: q.id, ok });
  }
  for (const caseId of deps.store.dirtyCases()) await advanceCase(deps, caseId, report);
  await syncDrafts(deps, report);
  await deliverOutbox(deps, report);
  return { results, report };
}
