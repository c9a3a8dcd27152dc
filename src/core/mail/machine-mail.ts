// Mail that must not be answered: auto-replies and out-of-office notices (RFC 3834 headers,
// common Chinese and English subjects), bulk and list mail, and bounces (delivery status
// notifications). casebot records them on the case but never drafts a reply to them.

import type { ParsedMail } from '../types';

export type MachineKind = 'auto-reply' | 'bulk' | 'bounce' | 'loop';

const AUTO_SUBJECT =
  /^\s*(?:自动回复|自动答复|自動回覆|自动应答|不在办公室|休假中|(?:Auto(?:matic)?[ -]?Reply|AutoReply|Out of (?:the )?Office|Abwesenheit)\b)/i;
const BOUNCE_SUBJECT =
  /^\s*(?:Undeliver(?:ed|able)|Delivery Status Notification|Mail Delivery (?:Failed|Failure|Subsystem)|Returned mail|Delivery has failed|退信|系统退信|投递失败|邮件投递失败|未能送达)/i;
const BOUNCE_SENDER = /^(?:mailer-daemon|postmaster)@/i;

export function machineKind(mail: ParsedMail): MachineKind | null {
  const h = mail.autoHeaders;
  const from = mail.from?.address ?? '';
  if (
    /report-type\s*=\s*"?delivery-status/i.test(h['content-type'] ?? '') ||
    h['x-failed-recipients'] ||
    BOUNCE_SENDER.test(from) ||
    BOUNCE_SUBJECT.test(mail.subject)
  ) {
    return 'bounce';
  }
  const autoSubmitted = (h['auto-submitted'] ?? '').trim().toLowerCase();
  if ((autoSubmitted && autoSubmitted !== 'no') || h['x-autoreply'] || h['x-autorespond'] || AUTO_SUBJECT.test(mail.subject))
    return 'auto-reply';
  if (/^(?:bulk|junk|list|auto_reply)$/i.test((h['precedence'] ?? '').trim())) return 'bulk';
  return null;
}

/**
 * The Message-ID of the mail a bounce returns: the first Message-ID header in the bounce's body
 * (its message/rfc822 or text/rfc822-headers part). Read from the raw mail, because parsers
 * fold the returned mail into the text and drop its headers.
 */
export function bouncedMessageId(raw: string, ownId: string): string | null {
  const bodyStart = raw.search(/\r?\n\r?\n/);
  if (bodyStart < 0) return null;
  for (const m of raw.slice(bodyStart).matchAll(/^message-id:\s*<([^>]+)>/gim)) {
    if (m[1]!.trim() !== ownId) return m[1]!.trim();
  }
  return null;
}
