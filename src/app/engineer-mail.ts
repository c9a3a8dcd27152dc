// Mail casebot writes to engineers: marked as machine mail with our loop header, capped per
// recipient per day, and queued in the outbox like everything else casebot sends.

import { randomUUID } from 'node:crypto';
import type { Notice } from '../core/commands/engineer-notice';
import type { CaseStore } from '../ports/case-store';
import type { CasebotDeps } from './casebot-deps';

/** What this module uses of casebot's dependencies (the composition root passes them all). */
export type EngineerMailDeps = Pick<CasebotDeps, 'clock' | 'codec' | 'commands' | 'log' | 'settings'> & {
  store: Pick<CaseStore, 'events' | 'outbox'>;
};

export const LOOP_HEADER = 'X-Casebot-Loop';

export async function mailEngineer(
  deps: EngineerMailDeps,
  to: string,
  caseId: string | null,
  notice: Notice,
  inReplyTo: string | null,
): Promise<boolean> {
  const { store } = deps;
  const now = deps.clock();
  const dayStart = new Date(now);
  dayStart.setUTCHours(0, 0, 0, 0);
  if (store.outbox.engineerMailsSince(to, dayStart.toISOString()) >= deps.commands.dailyCapPerRecipient) {
    deps.log.warn('daily cap of mails to an engineer reached', { to, caseId });
    store.events.append({
      at: now.toISOString(),
      caseId,
      messageId: null,
      actor: 'casebot',
      type: 'engineer-mail-capped',
      detail: { to, subject: notice.subject },
    });
    return false;
  }
  await composeMachineMail(deps, 'notice', to, caseId, { ...notice, inReplyTo }, (messageId, raw) =>
    store.outbox.enqueue(
      {
        messageId,
        purpose: 'engineer',
        caseId,
        draftId: null,
        envelopeFrom: deps.settings.team.address,
        envelopeTo: [to.toLowerCase()],
        raw,
        nextAttemptAt: now.toISOString(),
      },
      now.toISOString(),
    ),
  );
  return true;
}

/**
 * Builds a mail from casebot (not from an engineer) to `to`, marked as machine mail with our
 * loop header, and hands it to `queue` (called inside the caller's bookkeeping).
 */
export async function composeMachineMail(
  deps: EngineerMailDeps,
  kind: string,
  to: string,
  caseId: string | null,
  content: { subject: string; text: string; html?: string; inReplyTo?: string | null },
  queue: (messageId: string, raw: Buffer) => void,
): Promise<string> {
  const domain = deps.settings.team.address.split('@')[1] ?? 'casebot.invalid';
  const messageId = `casebot.${kind}.${randomUUID()}@${domain}`;
  const raw = await deps.codec.compose(
    {
      messageId,
      from: { name: 'casebot', address: deps.settings.team.address },
      to: [{ name: '', address: to }],
      cc: [],
      subject: content.subject,
      inReplyTo: content.inReplyTo ?? '',
      references: content.inReplyTo ? [content.inReplyTo] : [],
      date: deps.clock().toISOString(),
      text: content.text,
      ...(content.html ? { html: content.html } : {}),
    },
    {
      [LOOP_HEADER]: domain,
      'Auto-Submitted': 'auto-generated',
      'X-Auto-Response-Suppress': 'All',
      ...(caseId ? { 'X-Casebot-Case': caseId } : {}),
    },
  );
  queue(messageId, raw);
  return messageId;
}
