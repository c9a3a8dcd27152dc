// Makes a case's next draft and records it (status pending); sync-drafts stores it in the
// mailbox. Used by the automatic next step and by the engineer's commands.

import type { CaseView } from '../core/case/case-view';
import { buildDraft, type DraftRequest } from '../core/draft/build-draft';
import type { CaseStore } from '../ports/case-store';
import type { CasebotDeps, PassReport } from './casebot-deps';
import { draftContext } from './team-settings';

/** What this module uses of casebot's dependencies (the composition root passes them all). */
export type DraftCaseDeps = Pick<CasebotDeps, 'clock' | 'codec' | 'render' | 'settings'> & {
  store: Pick<CaseStore, 'drafts' | 'events' | 'getCase' | 'transaction'>;
};

export interface DraftOrder {
  request: DraftRequest;
  /** The unsent draft this one replaces. */
  replaces: number | null;
  reason: string;
  actor: string;
}

/** Returns false when that very draft already exists. */
export async function draftCase(deps: DraftCaseDeps, view: CaseView, order: DraftOrder, report: PassReport): Promise<boolean> {
  const { store } = deps;
  const now = deps.clock();
  const at = now.toISOString();
  const summary = store.getCase(view.caseId)!;
  const customer = deps.settings.customers.find((c) => c.name === summary.customer) ?? null;
  const draft = buildDraft(view, order.request, draftContext(deps.settings, summary.engineer, customer), deps.render, now);
  if (store.drafts.byMessageId(draft.messageId)) return false;
  const raw = await deps.codec.compose(draft, { 'X-Casebot-Case': view.caseId, 'X-Casebot-Draft': order.request.kind });
  store.transaction(() => {
    const live = store.drafts.live(view.caseId);
    const replaced = order.replaces ?? live?.id ?? null;
    if (replaced !== null) {
      store.drafts.setStatus(replaced, 'retiring', at);
      store.events.append({
        at,
        caseId: view.caseId,
        messageId: null,
        actor: order.actor,
        type: 'draft-replaced',
        detail: { by: draft.messageId },
      });
    }
    store.drafts.insert({
      caseId: view.caseId,
      kind: order.request.kind,
      messageId: draft.messageId,
      basedOn: order.request.basedOn,
      raw,
      bodyText: draft.text,
      createdAt: at,
    });
    store.events.append({
      at,
      caseId: view.caseId,
      messageId: draft.messageId,
      actor: order.actor,
      type: 'draft-created',
      detail: {
        kind: order.request.kind,
        reason: order.reason,
        answers: order.request.basedOn,
        findings: order.request.analysis?.findings.map((f) => f.rule) ?? [],
      },
    });
  });
  report.drafts.push({ caseId: view.caseId, kind: order.request.kind, messageId: draft.messageId });
  return true;
}
