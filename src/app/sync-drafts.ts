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
  for (const d of store.draftsWithStatus('appending')) {
    if (!(await mailbox.hasDraft(d.messageId))) await mailbox.appendDraft(d.raw, d.messageId);
    store.transaction(() => store.setDraftStatus(d.id, 'live', deps.clock().toISOString()));
  }
  for (const d of store.draftsWithStatus('pending')) {
    store.transaction(() => store.setDraftStatus(d.id, 'appending', deps.clock().toISOString()));
    await mailbox.appendDraft(d.raw, d.messageId);
    store.transaction(() => {
      store.setDraftStatus(d.id, 'live', deps.clock().toISOString());
      event(d.caseId, d.messageId, 'draft-stored', { kind: d.kind });
    });
    deps.log.info('draft stored', { caseId: d.caseId, kind: d.kind, messageId: d.messageId });
  }
}
