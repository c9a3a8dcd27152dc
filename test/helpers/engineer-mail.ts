// Mails an engineer (or an impostor) writes to casebot, as they arrive after our mail server
// stamped them with Authentication-Results.

import { buildMail } from './mail-factory';

let n = 0;

export const TRUSTED_PASS =
  'mail.cmgos.com; dkim=pass header.d=cmgos.com; spf=pass smtp.mailfrom=weiliang@cmgos.com; dmarc=pass header.from=cmgos.com';

export async function commandMail(
  subject: string,
  opts: { from?: string; authResults?: string | null; inReplyTo?: string } = {},
): Promise<Buffer> {
  n++;
  const headers: Record<string, string> = {};
  const ar = opts.authResults === undefined ? TRUSTED_PASS : opts.authResults;
  if (ar) headers['Authentication-Results'] = ar;
  return buildMail({
    from: opts.from ?? 'Wei Liang <weiliang@cmgos.com>',
    to: ['support@cmgos.com'],
    subject,
    date: new Date(Date.UTC(2022, 3, 26, 1, 0, n)).toISOString(),
    messageId: `<command.${n}.${Date.now()}@cmgos.com>`,
    ...(opts.inReplyTo ? { inReplyTo: opts.inReplyTo, references: [opts.inReplyTo] } : {}),
    text: '（命令邮件）',
    headers,
  });
}
