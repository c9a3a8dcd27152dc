// One pass over the mailbox: store drafts decided before a crash, send what is queued, ingest
// new mail (Sent, then INBOX) by cursor, decide each touched case's next step, then bring the
// Drafts folder in line with the store and send what the commands queued. Every step is
// idempotent and committed before the next, so a crash at any point resumes without loss or
// duplicates. The mailbox is only read, except for casebot's own drafts and sent copies.

import type { FolderRole } from '../ports/mailbox';
import { MailboxUnavailable } from '../ports/mailbox';
import { advanceCase } from './advance-case';
import { updateCaseMemory } from './case-memory';
import { emptyReport, type CasebotDeps, type PassReport } from './casebot-deps';
import { deliverOutbox } from './deliver-outbox';
import { ingestWithinBudget } from './ingest-mail';
import { queueScheduledDigests } from './send-digest';
import { refreshUnfinishedDrafts } from './refresh-unfinished';
import { syncDrafts } from './sync-drafts';

export type { CasebotDeps, PassReport } from './casebot-deps';

/** Sent first, so an engineer's reply is known before the customer mail that follows it. */
const FOLDERS: FolderRole[] = ['sent', 'inbox'];

export async function processMailbox(deps: CasebotDeps): Promise<PassReport> {
  const report = emptyReport();
  await syncDrafts(deps, report);
  await deliverOutbox(deps, report);
  // Nothing in here reaches outside the store (drafts are stored and mail sent after it), so its
  // transactions may commit in groups: a crash undoes the last group, and the mails are read again.
  await deps.store.batched(async () => {
    for (const folder of FOLDERS) {
      const refs = await deps.mailbox.listNew(folder, deps.store.getCursor(folder));
      for (const ref of refs) await ingestWithinBudget(deps, ref, report);
    }
    const touched = deps.store.dirtyCases();
    for (const caseId of touched) await advanceWithoutStopping(deps, caseId, report);
    await refreshUnfinishedDrafts(deps, report);
    await updateCaseMemory(deps, touched);
  });
  await syncDrafts(deps, report, { noticeDeleted: true });
  await queueScheduledDigests(deps);
  await deliverOutbox(deps, report);
  return report;
}

/**
 * One case whose draft cannot be made (a template that fails to render) is set aside with its
 * reason, where the engineer sees it, and the pass goes on for every other case. The case is
 * tried again when its next mail comes in.
 */
async function advanceWithoutStopping(deps: CasebotDeps, caseId: string, report: PassReport): Promise<void> {
  try {
    await advanceCase(deps, caseId, report);
  } catch (err) {
    if (err instanceof MailboxUnavailable) throw err;
    const reason = (err as Error).message;
    report.failed++;
    deps.log.error('case set aside: its next step failed', { caseId, reason });
    deps.store.transaction(() => {
      deps.store.events.append({
        at: deps.clock().toISOString(),
        caseId,
        messageId: null,
        actor: 'casebot',
        type: 'draft-failed',
        detail: { reason },
      });
      deps.store.clearDirty(caseId);
    });
  }
}
