// Carries out the next-step decision for a case that changed.

import { statusChange } from '../core/case/case-state';
import type { CaseView } from '../core/case/case-view';
import { reopenedNotice } from '../core/commands/engineer-notice';
import { decideNextStep } from '../core/case/next-step';
import type { CaseStore } from '../ports/case-store';
import type { CasebotDeps, PassReport } from './casebot-deps';
import { draftCase, type DraftCaseDeps } from './draft-case';
import { mailEngineer, type EngineerMailDeps } from './engineer-mail';

/** What this module uses of casebot's dependencies (the composition root passes them all). */
export type AdvanceCaseDeps = Pick<CasebotDeps, 'clock' | 'log'> & {
  store: Pick<
    CaseStore,
    'clearDirty' | 'drafts' | 'events' | 'getCase' | 'loadAnalysis' | 'loadCaseView' | 'setCaseStatus' | 'snooze' | 'transaction'
  >;
} & DraftCaseDeps &
  EngineerMailDeps;

export async function advanceCase(deps: AdvanceCaseDeps, caseId: string, report: PassReport): Promise<void> {
  const { store } = deps;
  const at = deps.clock().toISOString();
  const view = await followMail(deps, store.loadCaseView(caseId));
  const decision = view.status === 'closed' ? ({ action: 'none', reason: 'the case is closed' } as const) : decideNextStep(view);

  if (decision.action === 'draft') {
    const analysis = decision.analysisId === null ? null : store.loadAnalysis(decision.analysisId);
    await draftCase(
      deps,
      view,
      {
        request: { kind: decision.kind, basedOn: decision.basedOn, analysis, rerequestReason: decision.rerequestReason },
        replaces: decision.replaces,
        reason: decision.reason,
        actor: 'casebot',
      },
      report,
    );
  }
  store.transaction(() => {
    if (decision.action === 'retire-draft') {
      store.drafts.setStatus(decision.draftId, 'retiring', at);
      store.events.append({ at, caseId, messageId: null, actor: 'casebot', type: 'draft-retired', detail: { reason: decision.reason } });
    }
    store.clearDirty(caseId);
  });
}

/** Moves the stored status where the thread's mail says it is: a sent closure closes, the customer's mail after it reopens. */
async function followMail(deps: AdvanceCaseDeps, view: CaseView): Promise<CaseView> {
  const change = statusChange(view);
  if (!change) return view;
  const { store } = deps;
  const at = deps.clock().toISOString();
  const mail = view.messages.find((m) => m.messageId === change.messageId);
  store.transaction(() => {
    // Closed when the closure went out, not when casebot read it.
    store.setCaseStatus(view.caseId, change.status, change.status === 'closed' && change.at ? change.at : at);
    if (change.status === 'open') store.snooze(view.caseId, null);
    const actor = change.by === 'customer-wrote' ? (mail?.from?.address ?? 'unknown') : 'casebot';
    store.events.append({
      at,
      caseId: view.caseId,
      messageId: change.messageId || null,
      actor,
      type: change.status === 'closed' ? 'case-closed' : 'case-reopened',
      detail: { by: change.by },
    });
  });
  deps.log.info(change.status === 'closed' ? 'case closed by the closure sent' : 'case reopened by the customer', {
    caseId: view.caseId,
    messageId: change.messageId,
  });
  if (change.status === 'open')
    await mailEngineer(
      deps,
      store.getCase(view.caseId)!.engineer,
      view.caseId,
      reopenedNotice(view.caseId, view.subject, mail?.from?.address ?? ''),
      change.messageId || null,
    );
  return { ...view, status: change.status };
}
