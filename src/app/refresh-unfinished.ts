// A draft left unfinished (【请工程师填写】, e.g. an upload password nobody had configured) is made
// again once it can be finished (the password is configured now): the new draft replaces it, and
// the Drafts folder no longer shows the [待填写] marker. Drafts an engineer asked for with their own
// words are left as they are: only casebot's own next step is redone.

import { decideNextStep } from '../core/case/next-step';
import { buildDraft, isUnfinished, PLACEHOLDER } from '../core/draft/build-draft';
import type { StoredDraft, CaseStore } from '../ports/case-store';
import type { CasebotDeps, PassReport } from './casebot-deps';
import { draftCase, type DraftCaseDeps } from './draft-case';
import { draftContext } from './team-settings';

/** What this module uses of casebot's dependencies (the composition root passes them all). */
export type RefreshUnfinishedDeps = Pick<CasebotDeps, 'clock' | 'log' | 'render' | 'settings'> & {
  store: Pick<CaseStore, 'drafts' | 'getCase' | 'loadAnalysis' | 'loadCaseView'>;
} & DraftCaseDeps;

/**
 * What was missing (a secret in the environment) can only be there after casebot started again:
 * once per casebot, not on every pass of a watch.
 */
const refreshed = new WeakSet<RefreshUnfinishedDeps>();

export async function refreshUnfinishedDrafts(deps: RefreshUnfinishedDeps, report: PassReport): Promise<void> {
  if (refreshed.has(deps)) return;
  refreshed.add(deps);
  const { store } = deps;
  for (const unfinished of store.drafts.unfinished(PLACEHOLDER)) {
    try {
      await refresh(deps, unfinished, report);
    } catch (err) {
      // The draft stays as it is, marked; the pass goes on.
      deps.log.warn('unfinished draft not made again', { caseId: unfinished.caseId, reason: (err as Error).message });
    }
  }
}

async function refresh(deps: RefreshUnfinishedDeps, unfinished: StoredDraft, report: PassReport): Promise<void> {
  const { store } = deps;
  const view = store.loadCaseView(unfinished.caseId);
  if (view.status === 'closed') return;
  const decision = decideNextStep({ ...view, liveDraft: null });
  if (decision.action !== 'draft' || decision.kind !== unfinished.kind || decision.basedOn !== unfinished.basedOn) return;
  const request = {
    kind: decision.kind,
    basedOn: decision.basedOn,
    analysis: decision.analysisId === null ? null : store.loadAnalysis(decision.analysisId),
    rerequestReason: decision.rerequestReason,
    variant: 'filled',
  };
  const summary = store.getCase(view.caseId)!;
  const customer = deps.settings.customers.find((c) => c.name === summary.customer) ?? null;
  // Still unfinished: nothing to gain from a second copy.
  if (isUnfinished(buildDraft(view, request, draftContext(deps.settings, summary.engineer, customer), deps.render, deps.clock()).text))
    return;
  await draftCase(
    deps,
    view,
    { request, replaces: unfinished.id, reason: 'what was left for an engineer to fill in is known now', actor: 'casebot' },
    report,
  );
}
