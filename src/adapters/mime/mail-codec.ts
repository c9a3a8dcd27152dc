// MailCodec on mailparser (incoming) and nodemailer's MailComposer (drafts).
// Keeps what mailparser loses: a raw 8-bit GBK Subject is re-decoded from the raw header bytes.

import { createHash } from 'node:crypto';
import iconv from 'iconv-lite';
import { simpleParser, type AddressObject } from 'mailparser';
import MailComposer from 'nodemailer/lib/mail-composer';
import type { DraftMail } from '../../core/draft/build-draft';
import type { MailAddress, ParsedMail } from '../../core/types';
import type { MailCodec } from '../../ports/mail-codec';

export class MimeMailCodec implements MailCodec {
  async parse(raw: Buffer, receivedAt: Date): Promise<ParsedMail> {
    const rawHash = createHash('sha256').update(raw).digest('hex');
    const parsed = await simpleParser(relabelChinese(raw), { skipHtmlToText: false, maxHtmlLengthToParse: 2 * 1024 * 1024 });
    const subject = recoverSubject(raw, parsed.subject ?? '');
    const date = parsed.date && !Number.isNaN(parsed.date.getTime()) ? parsed.date : receivedAt;
    return {
      messageId: normaliseId(parsed.messageId) ?? `missing.${rawHash.slice(0, 32)}@casebot.invalid`,
      rawHash,
      subject,
      from: addresses(parsed.from)[0] ?? null,
      to: addresses(parsed.to),
      cc: addresses(parsed.cc),
      date: date.toISOString(),
      inReplyTo: normaliseId(parsed.inReplyTo),
      references: idList(parsed.references),
      text: parsed.text ?? '',
      attachments: parsed.attachments.map((a) => ({
        filename: a.filename ?? 'attachment.bin',
        contentType: a.contentType,
        content: a.content,
      })),
      authResults: headerValues(parsed, 'authentication-results'),
      loopHeader: headerValues(parsed, LOOP_HEADER)[0] ?? null,
      autoHeaders: Object.fromEntries(
        AUTO_HEADERS.map((h) => [h, headerValues(parsed, h)[0]] as const).filter((e): e is readonly [string, string] => e[1] !== undefined),
      ),
    };
  }

  async compose(draft: DraftMail, extraHeaders: Record<string, string>): Promise<Buffer> {
    const composer = new MailComposer({
      messageId: `<${draft.messageId}>`,
      from: { name: draft.from.name, address: draft.from.address },
      to: draft.to.map((a) => ({ name: a.name, address: a.address })),
      cc: draft.cc.map((a) => ({ name: a.name, address: a.address })),
      subject: draft.subject,
      ...(draft.inReplyTo ? { inReplyTo: `<${draft.inReplyTo}>` } : {}),
      ...(draft.references.length > 0 ? { references: draft.references.map((r) => `<${r}>`) } : {}),
      date: new Date(draft.date),
      text: draft.text,
      ...(draft.html ? { html: draft.html } : {}),
      textEncoding: 'base64',
      headers: extraHeaders,
    });
    const node = composer.compile();
    node.keepBcc = true;
    return node.build();
  }
}

export const LOOP_HEADER = 'x-casebot-loop';
const AUTO_HEADERS = ['auto-submitted', 'precedence', 'x-autoreply', 'x-autorespond', 'x-auto-response-suppress', 'x-failed-recipients', 'content-type'];

/** Every value of a header, unfolded, in the order the mail has them. */
function headerValues(parsed: { headerLines: readonly { key: string; line: string }[] }, name: string): string[] {
  return parsed.headerLines
    .filter((h) => h.key === name)
    .map((h) => h.line.slice(h.line.indexOf(':') + 1).replace(/\r?\n[ \t]+/g, ' ').trim());
}

function normaliseId(id: string | undefined | null): string | null {
  if (!id) return null;
  const m = /<([^<>]+)>/.exec(id);
  const bare = (m ? m[1]! : id).trim();
  return bare === '' ? null : bare;
}

function idList(value: string | string[] | undefined): string[] {
  const all = Array.isArray(value) ? value.join(' ') : value ?? '';
  return [...all.matchAll(/<([^<>]+)>/g)].map((m) => m[1]!.trim());
}

function addresses(value: AddressObject | AddressObject[] | undefined): MailAddress[] {
  const list = Array.isArray(value) ? value : value ? [value] : [];
  const out: MailAddress[] = [];
  const visit = (entries: AddressObject['value']) => {
    for (const e of entries) {
      if (e.group) visit(e.group);
      else if (e.address) out.push({ name: e.name ?? '', address: e.address.toLowerCase() });
    }
  };
  for (const v of list) visit(v.value);
  return out;
}

/**
 * Mail labelled gb2312 or gbk is often really GBK or GB18030 (clients label by habit): decode
 * it all as GB18030, the superset, so no character is lost. Only charset labels change.
 */
function relabelChinese(raw: Buffer): Buffer {
  const text = raw.toString('latin1');
  const relabelled = text
    .replace(/(charset\s*=\s*"?)(gb2312|gbk|x-gbk|euc-cn|cp936)(?=[";\s]|$)/gim, (_m, lead: string) => `${lead}gb18030`)
    .replace(/=\?(gb2312|gbk|x-gbk|euc-cn|cp936)\?/gi, '=?gb18030?');
  return relabelled === text ? raw : Buffer.from(relabelled, 'latin1');
}

/**
 * mailparser decodes raw 8-bit header bytes as UTF-8, so a GBK subject comes out as U+FFFD.
 * When that happened, decode the raw header again as GB18030.
 */
function recoverSubject(raw: Buffer, parsed: string): string {
  if (!parsed.includes('\uFFFD')) return parsed;
  const headerEnd = raw.indexOf('\r\n\r\n') >= 0 ? raw.indexOf('\r\n\r\n') : raw.indexOf('\n\n');
  const head = raw.subarray(0, headerEnd < 0 ? raw.length : headerEnd);
  const m = /(?:^|\n)subject:[ \t]*((?:[^\r\n]|\r?\n[ \t])*)/i.exec(head.toString('latin1'));
  if (!m) return parsed;
  const bytes = Buffer.from(m[1]!.replace(/\r?\n[ \t]/g, ' '), 'latin1');
  return iconv.decode(bytes, 'gb18030').trim();
}
