// Brings the mailbox's Drafts folder in line with the store: removes drafts that are stale or
// were sent in an edited form, stores new ones. Idempotent, so a crash at any point is harmless.

import type { CasebotDeps, PassReport } from './casebot-deps';

export async function syncDrafts(deps: CasebotDeps, report: PassReport): Promise<void> {
  const { store, mailbox } = deps;
  const event = (caseId: string, messageId: string, type: string, detail: Record<string, unknown>) =>
    store.appendEvent({ at: deps.clock().toISOString(), caseId, messageId, actor: 'casebot', type, detail });
  for (const d of store.draftsWithStatus('retiring')) {
    const removed = await mailbox.removeDraft(d.messageId);
    store.transaction(() => {
      store.setDraftStatus(d.id, 'retired', deps.clock().toISOString());
      event(d.caseId, d.messageId, 'draft-removed', { wasInDrafts: removed });
    });
    report.retired++;
  }
  for (const d of store.draftsWithStatus('edited')) {
    // The engineer sent their own version: casebot's copy must not linger beside it.
    await mailbox.removeDraft(d.messageId);
    store.transaction(() => store.setDraftStatus(d.id, 'sent', deps.clock().toISOString()));
  }
  // An APPEND interrupted by a crash may or may not have landed: look before storing it again.
  const interrupted = store.draftsWithStatus('appending');
  const missing: typeof interrupted = [];
  for (const d of interrupted) if (!(await mailbox.hasDraft(d.messageId))) missing.push(d);
  if (missing.length > 0) await mailbox.appendDrafts(missing.map((d) => d.raw));
  store.transaction(() => {
    for (const d of interrupted) store.setDraftStatus(d.id, 'live', deps.clock().toISOString());
  });
  // New drafts go in batches, a transaction on each side: few round trips, still crash-safe.
  const pending = store.draftsWithStatus('pending');
  for (let at = 0; at < pending.length; at += APPEND_BATCH) {
    const batch = pending.slice(at, at + APPEND_BATCH);
    store.transaction(() => {
      for (const d of batch) store.setDraftStatus(d.id, 'appending', deps.clock().toISOString());
    });
    await mailbox.appendDrafts(batch.map((d) => d.raw));
    store.transaction(() => {
      for (const d of batch) {
        store.setDraftStatus(d.id, 'live', deps.clock().toISOString());
        event(d.caseId, d.messageId, 'draft-stored', { kind: d.kind });
      }
    });
    for (const d of batch) deps.log.info('draft stored', { caseId: d.caseId, kind: d.kind, messageId: d.messageId });
  }
}

/** Drafts stored per round trip when many are due at once (a backlog after a pause). */
const APPEND_BATCH = 100;
