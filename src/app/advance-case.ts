// Carries out the next-step decision for a case that changed.

import { decideNextStep } from '../core/case/next-step';
import type { CasebotDeps, PassReport } from './casebot-deps';
import { draftCase } from './draft-case';

export async function advanceCase(deps: CasebotDeps, caseId: string, report: PassReport): Promise<void> {
  const { store } = deps;
  const at = deps.clock().toISOString();
  const view = store.loadCaseView(caseId);
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
      store.setDraftStatus(decision.draftId, 'retiring', at);
      store.appendEvent({ at, caseId, messageId: null, actor: 'casebot', type: 'draft-retired', detail: { reason: decision.reason } });
    }
    store.clearDirty(caseId);
  });
}
