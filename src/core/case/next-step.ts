// Decides what casebot does next on a case, from the case alone: the seed case's loop as a
// pure function. The app layer carries the decision out.

import type { CaseView, DraftKind } from './case-view';

export type RerequestReason = 'no-logs' | 'unreadable' | 'no-finding' | 'fix-did-not-work' | 'engineer';

export type Decision =
  | { action: 'none'; reason: string }
  | { action: 'retire-draft'; draftId: number; reason: string }
  | {
      action: 'draft';
      kind: DraftKind;
      /** The customer mail this draft answers. */
      basedOn: string;
      /** The analysis a diagnosis or closure is built from. */
      analysisId: number | null;
      rerequestReason: RerequestReason | null;
      /** The unsent draft this one replaces. */
      replaces: number | null;
      reason: string;
    };

export function decideNextStep(view: CaseView): Decision {
  // Auto-replies and bounces are on the record but are nobody's turn to answer.
  const messages = view.messages.filter((m) => m.machine === null);
  const lastOutbound = findLastIndex(messages, (m) => m.direction === 'outbound');
  const waiting = messages.slice(lastOutbound + 1).filter((m) => m.direction === 'inbound');
  const live = view.liveDraft;

  if (waiting.length === 0) {
    // Everything the customer wrote has been answered, so an unsent draft is stale.
    if (live) return { action: 'retire-draft', draftId: live.id, reason: 'the engineer has replied since the draft was made' };
    return { action: 'none', reason: lastOutbound >= 0 ? 'waiting on the customer' : 'no customer mail yet' };
  }
  const latest = waiting[waiting.length - 1]!;
  if (live && live.basedOn === latest.messageId) return { action: 'none', reason: 'the draft for the latest mail exists' };

  const draft = (
    kind: DraftKind,
    reason: string,
    analysisId: number | null = null,
    rerequestReason: RerequestReason | null = null,
  ): Decision => ({
    action: 'draft',
    kind,
    basedOn: latest.messageId,
    analysisId,
    rerequestReason,
    replaces: live?.id ?? null,
    reason,
  });

  if (latest.successReport) {
    const diagnosed = findLast(messages, (m) => (m.analysis?.findings.length ?? 0) > 0);
    return draft('closure', 'the customer reports the upgrade succeeded', diagnosed?.analysis?.id ?? null);
  }
  const withLogs = findLast(waiting, (m) => m.logAttachments > 0);
  if (withLogs) {
    const analysis = withLogs.analysis;
    if (analysis && analysis.findings.length > 0) return draft('diagnosis', 'new logs show a known failure', analysis.id);
    // A failure whose result the logs state, though no rule explains it: say what is known and what to collect.
    if (analysis?.verdict === 'failed' && analysis.outcome?.resultCode)
      return draft('diagnosis', 'new logs show a failure no rule explains', analysis.id);
    if (!analysis) return draft('log-rerequest', 'the logs sent could not be read', null, 'unreadable');
    return draft('log-rerequest', 'no known failure in the new logs', analysis.id, 'no-finding');
  }
  if (lastOutbound < 0) return draft('scope-request', 'a new case without logs');
  const diagnosedBefore = messages.some((m) => (m.analysis?.findings.length ?? 0) > 0);
  return draft(
    'log-rerequest',
    diagnosedBefore ? 'the customer wrote back without new logs after a diagnosis' : 'still no logs',
    null,
    diagnosedBefore ? 'fix-did-not-work' : 'no-logs',
  );
}

function findLastIndex<T>(items: T[], pred: (t: T) => boolean): number {
  for (let i = items.length - 1; i >= 0; i--) if (pred(items[i]!)) return i;
  return -1;
}

function findLast<T>(items: T[], pred: (t: T) => boolean): T | undefined {
  const i = findLastIndex(items, pred);
  return i < 0 ? undefined : items[i];
}
