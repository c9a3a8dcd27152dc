// The one case state: open or closed, and while open whose turn it is. Decided from what was
// sent and received, in the order it happened, so the digest, reminders, `case` and case
// memory never disagree: a sent closure closes the case, the customer writing after that
// reopens it, and an engineer's /close or /reopen counts where it came in the thread.

import { isAcknowledgement } from './success-report';
import { ownText } from '../mail/strip-quote';
import type { CaseMessage, CaseView } from './case-view';

/** The 问题总结 line of a closure mail, or null. */
export function closureSummary(text: string): string | null {
  const m = /问题总结\s*[:：]\s*\n?\s*([^\n]+)/.exec(text);
  return m ? m[1]!.trim() : null;
}

export type CaseStage = 'needs-reply' | 'waiting' | 'closed';

export interface StatusChange {
  status: 'open' | 'closed';
  /** What changed it: the closure that went out, or the customer's mail after it. */
  by: 'closure-sent' | 'customer-wrote';
  messageId: string;
  at: string;
}

/** Whether this sent mail closes the case: casebot's closure went out, or a mail carrying 问题总结. */
export function isClosureMail(m: CaseMessage): boolean {
  return m.direction === 'outbound' && (m.sentDraftKind === 'closure' || closureSummary(ownText(m.text)) !== null);
}

/** The closure that went out after the customer last wrote, if any: the case needs no other. */
export function closureAlreadySent(view: CaseView): CaseMessage | null {
  const people = view.messages.filter((m) => m.machine === null);
  for (let i = people.length - 1; i >= 0; i--) {
    const m = people[i]!;
    if (isClosureMail(m)) return m;
    if (m.direction === 'inbound') return null;
  }
  return null;
}

/**
 * The change the thread asks of the stored status, or null when it already agrees. Only mail
 * moves it here; /close and /reopen move it where they were sent and are read as part of the
 * thread, so a mail older than an engineer's command never undoes it.
 */
export function statusChange(view: CaseView): StatusChange | null {
  type Step = { at: string; apply: (s: 'open' | 'closed') => 'open' | 'closed'; change: StatusChange | null };
  const steps: Step[] = [
    ...view.statusCommands.map((c): Step => ({ at: c.at, apply: () => (c.name === 'close' ? 'closed' : 'open'), change: null })),
    ...view.messages.flatMap((m): Step[] => {
      if (m.machine !== null) return [];
      if (isClosureMail(m))
        return [
          {
            at: m.arrivedAt,
            apply: () => 'closed',
            change: { status: 'closed', by: 'closure-sent', messageId: m.messageId, at: m.arrivedAt },
          },
        ];
      // A thank-you or a success report after closure confirms it; anything else reopens.
      if (m.direction === 'inbound' && !m.successReport && !isAcknowledgement(ownText(m.text))) {
        return [
          {
            at: m.arrivedAt,
            apply: (s) => (s === 'closed' ? 'open' : s),
            change: { status: 'open', by: 'customer-wrote', messageId: m.messageId, at: m.arrivedAt },
          },
        ];
      }
      return [];
    }),
  ];
  // Stable: a command and a mail of the same second keep the order they were read in.
  steps.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  let status: 'open' | 'closed' = 'open';
  let last: StatusChange | null = null;
  for (const step of steps) {
    const next = step.apply(status);
    if (next !== status) last = step.change;
    status = next;
  }
  return status === view.status
    ? null
    : (last ?? { status, by: status === 'closed' ? 'closure-sent' : 'customer-wrote', messageId: '', at: '' });
}

/** Whose turn it is on a case: the digest's 待回复 / 等待客户 / 已结案. */
export function caseStage(status: 'open' | 'closed', lastInboundAt: string | null, lastOutboundAt: string | null): CaseStage {
  if (status === 'closed') return 'closed';
  return lastInboundAt !== null && (lastOutboundAt === null || lastInboundAt > lastOutboundAt) ? 'needs-reply' : 'waiting';
}
