// Brings the mailbox's Drafts folder in line with the store: removes drafts that are stale or
// were sent in an edited form, stores new ones (adopting any the folder already holds).
// Idempotent, so a crash at any point is harmless.

import type { StoredDraft, CaseStore } from '../ports/case-store';
import type { CasebotDeps, PassReport } from './casebot-deps';
import { caseEvent } from '../core/case/case-event';
import type { EventDetails, EventType } from '../core/types';

/** What this module uses of casebot's dependencies (the composition root passes them all). */
export type SyncDraftsDeps = Pick<CasebotDeps, 'clock' | 'log' | 'mailbox'> & {
  store: Pick<CaseStore, 'drafts' | 'events' | 'transaction'>;
};

export interface SyncOptions {
  /**
   * Also record live drafts that are gone from Drafts without a send (the engineer deleted them).
   * Only after the pass has read Sent, so a draft just sent is not taken for a deleted one.
   */
  noticeDeleted?: boolean;
}

export async function syncDrafts(deps: SyncDraftsDeps, report: PassReport, options: SyncOptions = {}): Promise<void> {
  const { store, mailbox } = deps;
  const event = <T extends EventType>(caseId: string, messageId: string, type: T, detail: EventDetails[T]) =>
    store.events.append(caseEvent({ at: deps.clock().toISOString(), caseId, messageId, actor: 'casebot', type, detail }));
  for (const d of store.drafts.withStatus('retiring')) {
    const removed = await mailbox.removeDraft(d.messageId);
    store.transaction(() => {
      store.drafts.setStatus(d.id, 'retired', deps.clock().toISOString());
      event(d.caseId, d.messageId, 'draft-removed', { wasInDrafts: removed });
    });
    report.retired++;
  }
  for (const d of store.drafts.withStatus('edited')) {
    // The engineer sent their own version: casebot's copy must not linger beside it.
    await mailbox.removeDraft(d.messageId);
    store.transaction(() => store.drafts.setStatus(d.id, 'sent', deps.clock().toISOString()));
  }
  // The Drafts folder has the last word on what is stored: a draft already there is adopted, not
  // stored again. It got there by an APPEND a crash interrupted, or the store was lost, restored
  // or started afresh against a mailbox holding casebot's drafts. One listing covers them all.
  const due = [...store.drafts.withStatus('appending'), ...store.drafts.withStatus('pending')];
  const live = options.noticeDeleted ? store.drafts.withStatus('live') : [];
  if (due.length === 0 && live.length === 0) return;
  const inDrafts = await mailbox.draftMessageIds();
  if (live.length > 0) noticeDeleted(deps, live, inDrafts);
  if (due.length === 0) return;
  const adopted = due.filter((d) => inDrafts.has(d.messageId));
  store.transaction(() => {
    for (const d of adopted) {
      store.drafts.setStatus(d.id, 'live', deps.clock().toISOString());
      event(d.caseId, d.messageId, 'draft-stored', { kind: d.kind, adopted: true });
    }
  });
  for (const d of adopted) deps.log.info('draft already in Drafts, adopted', { caseId: d.caseId, kind: d.kind, messageId: d.messageId });
  // The rest go in batches, a transaction on each side: few round trips, still crash-safe. A
  // refused draft waits as pending for the next pass, not a second try in this one.
  const missing = due.filter((d) => !inDrafts.has(d.messageId));
  for (let at = 0; at < missing.length; at += APPEND_BATCH) {
    const batch = missing.slice(at, at + APPEND_BATCH);
    store.transaction(() => {
      for (const d of batch) store.drafts.setStatus(d.id, 'appending', deps.clock().toISOString());
    });
    const refused = await refusedDrafts(deps, batch);
    store.transaction(() => {
      for (const d of batch) {
        settle(deps, d, refused.get(d.id));
        if (!refused.has(d.id)) event(d.caseId, d.messageId, 'draft-stored', { kind: d.kind });
      }
    });
    for (const d of batch)
      if (!refused.has(d.id)) deps.log.info('draft stored', { caseId: d.caseId, kind: d.kind, messageId: d.messageId });
  }
}

/** Live drafts gone from the Drafts folder, and not sent: deleted by the engineer. Recorded once; a later send still counts. */
function noticeDeleted(deps: SyncDraftsDeps, live: StoredDraft[], inDrafts: Set<string>): void {
  const gone = live.filter((d) => !inDrafts.has(d.messageId));
  if (gone.length === 0) return;
  deps.store.transaction(() => {
    for (const d of gone) {
      deps.store.drafts.setStatus(d.id, 'retired', deps.clock().toISOString());
      deps.store.events.append({
        at: deps.clock().toISOString(),
        caseId: d.caseId,
        messageId: d.messageId,
        actor: 'casebot',
        type: 'draft-deleted',
        detail: { kind: d.kind },
      });
    }
  });
  for (const d of gone)
    deps.log.info('draft deleted from Drafts without a send', { caseId: d.caseId, kind: d.kind, messageId: d.messageId });
}

/** Appends the drafts; what the server refused, by draft id, with its words. */
async function refusedDrafts(deps: SyncDraftsDeps, drafts: StoredDraft[]): Promise<Map<number, string>> {
  const refused = await deps.mailbox.appendDrafts(drafts.map((d) => d.raw));
  return new Map(refused.map((r) => [drafts[r.index]!.id, r.reason]));
}

/**
 * A stored draft is live. A refused one waits as pending and is tried again next pass (a full
 * quota clears), without holding up the others; the engineer hears of each refusal once.
 */
function settle(deps: SyncDraftsDeps, d: StoredDraft, refusedFor: string | undefined): void {
  const at = deps.clock().toISOString();
  if (refusedFor === undefined) {
    deps.store.drafts.setStatus(d.id, 'live', at);
    return;
  }
  deps.store.drafts.setStatus(d.id, 'pending', at);
  if (deps.store.events.list(d.caseId).some((e) => e.type === 'draft-refused' && e.messageId === d.messageId)) return;
  deps.store.events.append({
    at,
    caseId: d.caseId,
    messageId: d.messageId,
    actor: 'casebot',
    type: 'draft-refused',
    detail: { kind: d.kind, reason: refusedFor },
  });
  deps.log.warn('draft refused by the mailbox, kept to try again', { caseId: d.caseId, messageId: d.messageId, reason: refusedFor });
}

/** Drafts stored per round trip when many are due at once (a backlog after a pause). */
const APPEND_BATCH = 100;
