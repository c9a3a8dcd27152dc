// MailCodec on mailparser's streaming parser (incoming) and nodemailer's MailComposer (drafts).
// Attachments are streamed to files in a private temp folder while the mail is parsed (a 50 MB
// bundle is never held whole), hashed on the way; the attachments of a forwarded message
// (message/rfc822) are the mail's own. Keeps what mailparser loses: a raw 8-bit GBK Subject is
// re-decoded from the raw header bytes.

import { createHash, type Hash } from 'node:crypto';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import iconv from 'iconv-lite';
import { MailParser, type AddressObject, type AttachmentStream, type HeaderLines, type Headers, type MessageText } from 'mailparser';
import MailComposer from 'nodemailer/lib/mail-composer';
import type { DraftMail } from '../../core/draft/build-draft';
import type { MailAddress, MailAttachment, ParsedMail } from '../../core/types';
import type { MailCodec } from '../../ports/mail-codec';

/** Enough of a mail's start to hold its header. */
const HEAD_BYTES = 256 * 1024;
/** What parseFile hands back of a big mail's bytes (a bounce's returned headers are near the start). */
const START_BYTES = 1024 * 1024;
/** A "line" longer than this is passed on without waiting for its end. */
const MAX_LINE = 64 * 1024;

/** Forwarded messages inside forwarded messages: deeper than this is not a customer's log mail. */
const MAX_FORWARD_DEPTH = 3;
/** A mail with more parts than this is broken or hostile; its attachments are not kept. */
const MAX_ATTACHMENTS = 200;

export class MimeMailCodec implements MailCodec {
  /** rawHash → the temp folder holding that mail's attachments. */
  private readonly scratch = new Map<string, string>();

  constructor(private readonly tempRoot: string = os.tmpdir()) {}

  async parse(raw: Buffer, receivedAt: Date): Promise<ParsedMail> {
    return this.parseChunks([raw], raw.subarray(0, HEAD_BYTES), receivedAt);
  }

  /** A mail in a file (a big one, fetched to disk): streamed through the parser, never read whole. */
  async parseFile(file: string, receivedAt: Date): Promise<{ mail: ParsedMail; start: Buffer }> {
    const start = readStart(file, START_BYTES);
    return {
      mail: await this.parseChunks(fs.createReadStream(file, { highWaterMark: 1024 * 1024 }), start.subarray(0, HEAD_BYTES), receivedAt),
      start,
    };
  }

  private async parseChunks(chunks: AsyncIterable<Buffer> | Buffer[], head: Buffer, receivedAt: Date): Promise<ParsedMail> {
    // Made when the first attachment comes: most mail has none.
    let folder: string | null = null;
    const dir = () => {
      if (!folder) {
        folder = fs.mkdtempSync(path.join(this.tempRoot, 'casebot-mail-'));
        fs.chmodSync(folder, 0o700);
      }
      return folder;
    };
    const hash = createHash('sha256');
    let parsed: StreamedMail;
    try {
      parsed = await streamParse(hashing(chunks, hash), dir, 0);
    } catch (err) {
      if (folder) fs.rmSync(folder, { recursive: true, force: true });
      throw err;
    }
    const rawHash = hash.digest('hex');
    if (folder) {
      this.release({ rawHash });
      this.scratch.set(rawHash, folder);
    }
    const subject = recoverSubject(head, parsed.subject ?? '');
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
      html: typeof parsed.html === 'string' ? parsed.html : null,
      attachments: parsed.attachments,
      authResults: headerValues(parsed, 'authentication-results'),
      loopHeader: headerValues(parsed, LOOP_HEADER)[0] ?? null,
      autoHeaders: Object.fromEntries(
        AUTO_HEADERS.map((h) => [h, headerValues(parsed, h)[0]] as const).filter((e): e is readonly [string, string] => e[1] !== undefined),
      ),
    };
  }

  /** Removes the temp files of a parsed mail (its attachments) once it has been handled. */
  release(mail: Pick<ParsedMail, 'rawHash'>): void {
    const dir = this.scratch.get(mail.rawHash);
    if (!dir) return;
    this.scratch.delete(mail.rawHash);
    fs.rmSync(dir, { recursive: true, force: true });
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
      ...(draft.attachments?.length ? { attachments: draft.attachments.map((a) => ({ filename: a.filename, path: a.path })) } : {}),
      textEncoding: 'base64',
      headers: extraHeaders,
    });
    const node = composer.compile();
    node.keepBcc = true;
    return node.build();
  }
}

interface StreamedMail {
  headerLines: HeaderLines;
  subject?: string;
  from?: AddressObject;
  to?: AddressObject | AddressObject[];
  cc?: AddressObject | AddressObject[];
  date?: Date;
  messageId?: string;
  inReplyTo?: string;
  references?: string | string[];
  text?: string;
  html?: string | false;
  attachments: MailAttachment[];
}

/**
 * mailparser's streaming parser, as simpleParser drives it, except that each attachment goes
 * to a file in the folder `dir()` gives (hashed on the way) rather than into memory.
 */
async function streamParse(raw: AsyncIterable<Buffer> | Buffer[], dir: () => string, depth: number): Promise<StreamedMail> {
  const parser = new MailParser({
    skipHtmlToText: false,
    maxHtmlLengthToParse: 2 * 1024 * 1024,
    skipImageLinks: true,
    skipTextToHtml: true,
  });
  const mail: StreamedMail = { headerLines: [], attachments: [] };
  const attachments: MailAttachment[] = [];
  let headers: Headers | null = null;
  parser.on('headers', (h: Headers) => {
    headers = h;
    mail.headerLines = parser.headerLines || [];
  });
  const done = new Promise<void>((resolve, reject) => {
    parser.on('error', reject);
    parser.on('end', resolve);
  });
  const reading = (async () => {
    for await (const data of parser as AsyncIterable<AttachmentStream | MessageText>) {
      if (data.type === 'text') {
        mail.text = data.text;
        mail.html = data.html;
        continue;
      }
      try {
        if (attachments.length >= MAX_ATTACHMENTS) {
          data.content.resume();
          await new Promise((r) => data.content.once('end', r));
          continue;
        }
        attachments.push(await saveAttachment(data, dir, attachments.length));
      } finally {
        data.release?.();
      }
    }
  })();
  const writing = (async () => {
    for await (const chunk of relabelled(raw)) if (!parser.write(chunk)) await once(parser, 'drain');
    parser.end();
  })();
  await Promise.all([done, reading, writing]);
  const h = headers as Headers | null;
  if (h) {
    mail.subject = h.get('subject') as string | undefined;
    mail.from = h.get('from') as AddressObject | undefined;
    mail.to = h.get('to') as AddressObject | undefined;
    mail.cc = h.get('cc') as AddressObject | undefined;
    mail.date = h.get('date') as Date | undefined;
    mail.messageId = h.get('message-id') as string | undefined;
    mail.inReplyTo = h.get('in-reply-to') as string | undefined;
    mail.references = h.get('references') as string | string[] | undefined;
  }
  for (const a of attachments) {
    mail.attachments.push(a);
    // A forwarded message's attachments (the customer forwarded the mail with the logs) count too.
    if (a.contentType === 'message/rfc822' && depth < MAX_FORWARD_DEPTH) {
      const inner = await streamParse(fs.createReadStream(a.file, { highWaterMark: 1024 * 1024 }), dir, depth + 1).catch(() => null);
      if (inner) mail.attachments.push(...inner.attachments);
    }
  }
  return mail;
}

async function saveAttachment(data: AttachmentStream, dir: () => string, index: number): Promise<MailAttachment> {
  const file = path.join(dir(), `attachment-${index}-${Math.random().toString(36).slice(2)}`);
  const hash = createHash('sha256');
  let size = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      hash.update(chunk);
      size += chunk.length;
      cb(null, chunk);
    },
  });
  await pipeline(data.content, tap, fs.createWriteStream(file, { mode: 0o600 }));
  return {
    filename: data.filename ?? (data.contentType === 'message/rfc822' ? 'forwarded.eml' : 'attachment.bin'),
    contentType: data.contentType,
    size,
    sha256: hash.digest('hex'),
    file,
  };
}

export const LOOP_HEADER = 'x-casebot-loop';
const AUTO_HEADERS = [
  'auto-submitted',
  'precedence',
  'x-autoreply',
  'x-autorespond',
  'x-auto-response-suppress',
  'x-failed-recipients',
  'content-type',
];

/** Every value of a header, unfolded, in the order the mail has them. */
function headerValues(parsed: { headerLines: HeaderLines }, name: string): string[] {
  return parsed.headerLines
    .filter((h) => h.key === name)
    .map((h) =>
      h.line
        .slice(h.line.indexOf(':') + 1)
        .replace(/\r?\n[ \t]+/g, ' ')
        .trim(),
    );
}

function normaliseId(id: string | undefined | null): string | null {
  if (!id) return null;
  const m = /<([^<>]+)>/.exec(id);
  const bare = (m ? m[1]! : id).trim();
  return bare === '' ? null : bare;
}

function idList(value: string | string[] | undefined): string[] {
  const all = Array.isArray(value) ? value.join(' ') : (value ?? '');
  return [...all.matchAll(/<([^<>]+)>/g)].map((m) => m[1]!.trim());
}

function addresses(value: AddressObject | AddressObject[] | undefined): MailAddress[] {
  const list = Array.isArray(value) ? value : value ? [value] : [];
  const out: MailAddress[] = [];
  const visit = (entries: AddressObject['value']) => {
    for (const e of entries) {
      if (e.group) visit(e.group);
      else if (e.address) out.push({ name: e.name ?? '', address: e.address.toLowerCase() });
      else {
        // The whole `name <addr>` inside one encoded-word decodes to a name only: take the address out of it.
        const inName =
          /^\s*"?(.*?)"?\s*<([^<>\s]+@[^<>\s]+)>\s*$/.exec(e.name ?? '') ?? /^()([^<>\s"]+@[^<>\s"]+)$/.exec((e.name ?? '').trim());
        if (inName) out.push({ name: inName[1]!.trim(), address: inName[2]!.toLowerCase() });
      }
    }
  };
  for (const v of list) visit(v.value);
  return out;
}

async function* hashing(chunks: AsyncIterable<Buffer> | Buffer[], hash: Hash): AsyncGenerator<Buffer> {
  for await (const chunk of chunks) {
    hash.update(chunk);
    yield chunk;
  }
}

/** The mail's bytes with its Chinese charset labels relabelled, a run of whole lines at a time. */
async function* relabelled(chunks: AsyncIterable<Buffer> | Buffer[]): AsyncGenerator<Buffer> {
  let carry: Buffer = Buffer.alloc(0);
  for await (const chunk of chunks) {
    const data = carry.length > 0 ? Buffer.concat([carry, chunk]) : chunk;
    const cut = data.lastIndexOf(10) + 1;
    const upto = cut > 0 ? cut : data.length > MAX_LINE ? data.length : 0;
    if (upto > 0) yield relabelChinese(data.subarray(0, upto));
    carry = data.subarray(upto);
  }
  if (carry.length > 0) yield relabelChinese(carry);
}

function readStart(file: string, bytes: number): Buffer {
  const fd = fs.openSync(file, 'r');
  try {
    const head = Buffer.alloc(bytes);
    return head.subarray(0, fs.readSync(fd, head, 0, bytes, 0));
  } finally {
    fs.closeSync(fd);
  }
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
