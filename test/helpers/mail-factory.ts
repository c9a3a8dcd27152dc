/**
 * RFC 822 messages for fixtures, built with nodemailer's MailComposer so encoded words,
 * multipart layout and transfer encodings are what a real client would send. Output is
 * deterministic: the Date header comes from the spec and the MIME boundary from the Message-ID.
 */
import { createHash } from 'crypto';
import MailComposer from 'nodemailer/lib/mail-composer';
import type Mail from 'nodemailer/lib/mailer';

export interface MailSpec {
  from: string;
  to: string[];
  cc?: string[];
  subject: string;
  date: string /* ISO */;
  messageId: string;
  inReplyTo?: string;
  references?: string[];
  text: string;
  attachments?: { filename: string; content: Buffer; contentType?: string }[];
  headers?: Record<string, string>;
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function parseIso(date: string): { ms: number; offsetMin: number } {
  const ms = Date.parse(date);
  if (Number.isNaN(ms)) throw new Error(`not an ISO date: ${date}`);
  const m = /([+-])(\d{2}):?(\d{2})$/.exec(date);
  const offsetMin = m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : 0;
  return { ms, offsetMin };
}

/** RFC 5322 date in the sender's own offset, e.g. "Fri, 15 Apr 2022 15:42:10 +0800". */
export function rfc2822Date(date: string): string {
  const { ms, offsetMin } = parseIso(date);
  const d = new Date(ms + offsetMin * 60000);
  const p2 = (n: number): string => String(n).padStart(2, '0');
  const abs = Math.abs(offsetMin);
  const zone = `${offsetMin < 0 ? '-' : '+'}${p2(Math.floor(abs / 60))}${p2(abs % 60)}`;
  return (
    `${DAYS[d.getUTCDay()] ?? ''}, ${d.getUTCDate()} ${MONTHS[d.getUTCMonth()] ?? ''} ${d.getUTCFullYear()} ` +
    `${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())} ${zone}`
  );
}

export async function buildMail(spec: MailSpec): Promise<Buffer> {
  // baseBoundary is honoured by MailComposer but missing from @types/nodemailer.
  const options: Mail.Options & { baseBoundary: string } = {
    from: spec.from,
    to: spec.to,
    cc: spec.cc,
    subject: spec.subject,
    date: rfc2822Date(spec.date),
    messageId: spec.messageId,
    inReplyTo: spec.inReplyTo,
    references: spec.references,
    text: spec.text,
    headers: spec.headers,
    attachments: spec.attachments?.map((a) => ({
      filename: a.filename,
      content: a.content,
      contentType: a.contentType,
    })),
    baseBoundary: createHash('sha1').update(spec.messageId).digest('hex').slice(0, 16),
  };
  return new MailComposer(options).compile().build();
}

/** `<unix seconds>.M<seq>P1000.casebot-fixtures:2,<flags>`: sorts by delivery time. */
export function maildirFileName(date: string, seq: number, flags = ''): string {
  const seconds = Math.floor(parseIso(date).ms / 1000);
  return `${seconds}.M${seq}P1000.casebot-fixtures:2,${flags}`;
}
