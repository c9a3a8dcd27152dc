// Sends what the outbox holds. Each mail is marked `sending` (committed) before SMTP sees it
// and `sent` right after SMTP accepts it, so a crash neither loses a mail nor, outside that
// instant, sends it twice. Temporary failures are retried with back-off; a refusal is final
// and recorded on the case. A customer mail sent is filed in Sent and its draft removed.

import { backoffMs } from '../core/backoff';
import { SendError } from '../ports/mail-sender';
import type { OutboxEntry, CaseStore } from '../ports/case-store';
import type { CasebotDeps, PassReport } from './casebot-deps';

/** What this module uses of casebot's dependencies (the composition root passes them all). */
export type DeliverOutboxDeps = Pick<CasebotDeps, 'clock' | 'log' | 'mailbox' | 'send' | 'sender'> & {
  store: Pick<CaseStore, 'events' | 'outbox' | 'transaction'>;
};

/** Back-off never waits longer than this between two tries. */
const MAX_BACKOFF_MS = 60 * 60 * 1000;

export async function deliverOutbox(deps: DeliverOutboxDeps, report: PassReport): Promise<void> {
  const sender = deps.sender;
  if (!sender) return;
  const due = deps.store.outbox.due(deps.clock().toISOString());
  // The sender paces (bottleneck); here every due mail is handed over at once.
  await Promise.all(due.map((entry) => deliverOne(deps, entry, report)));
}

async function deliverOne(deps: DeliverOutboxDeps, entry: OutboxEntry, report: PassReport): Promise<void> {
  const { store } = deps;
  const attempts = entry.attempts + 1;
  store.transaction(() => store.outbox.update(entry.id, { status: 'sending', attempts }));
  try {
    await deps.sender!.send({ from: entry.envelopeFrom, to: entry.envelopeTo }, entry.raw);
  } catch (err) {
    const permanent = err instanceof SendError && err.permanent;
    const giveUp = permanent || attempts >= deps.send.maxAttempts;
    const at = deps.clock();
    const delay = backoffMs(attempts, deps.send.retrySeconds * 1000, MAX_BACKOFF_MS);
    store.transaction(() => {
      store.outbox.update(entry.id, {
        status: giveUp ? 'failed' : 'pending',
        lastError: (err as Error).message,
        nextAttemptAt: new Date(at.getTime() + delay).toISOString(),
      });
      if (giveUp) {
        store.events.append({
          at: at.toISOString(),
          caseId: entry.caseId,
          messageId: entry.messageId,
          actor: 'casebot',
          type: 'send-failed',
          detail: { error: (err as Error).message, attempts, to: entry.envelopeTo },
        });
      }
    });
    deps.log.warn(giveUp ? 'send failed' : 'send will be retried', { messageId: entry.messageId, attempts, error: (err as Error).message });
    return;
  }
  const at = deps.clock().toISOString();
  store.transaction(() => {
    store.outbox.update(entry.id, { status: 'sent', sentAt: at });
    store.events.append({
      at,
      caseId: entry.caseId,
      messageId: entry.messageId,
      actor: 'casebot',
      type: 'mail-sent',
      detail: { purpose: entry.purpose, to: entry.envelopeTo.join(', ') },
    });
  });
  report.sent++;
  if (entry.purpose === 'customer') {
    // Filed in Sent, where casebot (and the engineer) will see it as the reply that went out.
    await deps.mailbox.appendSent(entry.raw);
    await deps.mailbox.removeDraft(entry.messageId);
  }
}
