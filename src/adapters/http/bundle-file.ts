// What a downloaded file is called and what it contains: the name from Content-Disposition or
// the URL, made safe; the kind from the first bytes, never from what the server claims.

import crypto from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import iconv from 'iconv-lite';
import { byteLayout, decodeText } from '../../core/analyze/decode-text';

export interface ContentKind {
  extension: string;
  contentType: string;
}

const ARCHIVES: { magic: number[]; kind: ContentKind }[] = [
  { magic: [0x50, 0x4b, 0x03, 0x04], kind: { extension: '.zip', contentType: 'application/zip' } },
  { magic: [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c], kind: { extension: '.7z', contentType: 'application/x-7z-compressed' } },
  { magic: [0x52, 0x61, 0x72, 0x21, 0x1a, 0x07], kind: { extension: '.rar', contentType: 'application/vnd.rar' } },
  { magic: [0x4d, 0x53, 0x43, 0x46], kind: { extension: '.cab', contentType: 'application/vnd.ms-cab-compressed' } },
  { magic: [0x1f, 0x8b], kind: { extension: '.gz', contentType: 'application/gzip' } },
];
const EMPTY_ZIP = [0x50, 0x4b, 0x05, 0x06];
const TEXT_LOG: ContentKind = { extension: '.log', contentType: 'text/plain' };
/** Names a text log keeps as they are; anything else gets `.log` appended. */
const TEXT_EXTENSIONS = ['.log', '.txt', '.xml', '.json'];
const HTML_START = /^(<!doctype html|<html|<head|<body|<meta|<title|<script|<form|<!--)/;

/** Enough of the start of a file to tell a login page from a log. */
const SNIFF_BYTES = 512;

/** A download the fetcher will not keep: `reason` in Chinese for the draft, `detail` for the log. */
/** What the downloaded bytes turned out to be, when it is not a bundle. */
export class ContentRefused extends Error {
  constructor(
    readonly fault: 'EMPTY_DOWNLOAD' | 'EMPTY_ZIP' | 'NOT_A_BUNDLE' | 'HTML_PAGE',
    readonly detail: string,
  ) {
    super(detail);
  }
}

export function sniffContent(head: Buffer): ContentKind {
  if (head.length === 0) throw new ContentRefused('EMPTY_DOWNLOAD', 'empty body');
  const archive = ARCHIVES.find(({ magic }) => startsWith(head, magic));
  if (archive) return archive.kind;
  if (startsWith(head, EMPTY_ZIP)) throw new ContentRefused('EMPTY_ZIP', 'empty zip (end-of-directory record only)');
  const layout = byteLayout(head);
  const isUtf16 = layout !== 'bytes';
  if (!isUtf16 && head.some((b) => b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d && b !== 0x0c && b !== 0x1b)) {
    throw new ContentRefused('NOT_A_BUNDLE', `unknown binary content starting ${head.subarray(0, 8).toString('hex')}`);
  }
  const start = iconv
    .decode(head, isUtf16 ? layout : 'utf8')
    .replace(/^\uFEFF/, '')
    .trimStart()
    .toLowerCase();
  if (HTML_START.test(start)) throw new ContentRefused('HTML_PAGE', 'HTML page (login or error page?)');
  return TEXT_LOG;
}

function startsWith(bytes: Buffer, magic: number[]): boolean {
  return bytes.length >= magic.length && magic.every((b, i) => bytes[i] === b);
}

/**
 * The file name a download is shown under: Content-Disposition's filename* (RFC 5987, any
 * charset iconv knows), then its filename (UTF-8, percent-encoded UTF-8, or GBK as Chinese
 * Windows servers send it), then the URL's last path segment.
 */
export function downloadName(contentDisposition: string | undefined, url: URL): string {
  const fromHeader = contentDisposition ? dispositionName(contentDisposition) : null;
  const segment = url.pathname.split('/').pop() ?? '';
  return safeFilename(fromHeader ?? percentDecode(segment, 'utf-8'));
}

function dispositionName(header: string): string | null {
  const extended = /(?:^|;)\s*filename\*\s*=\s*"?([^';"]+)'[^']*'([^;"\s]+)/i.exec(header);
  if (extended && iconv.encodingExists(extended[1]!)) return percentDecode(extended[2]!, extended[1]!);
  const plain = /(?:^|;)\s*filename\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;]*))/i.exec(header);
  if (!plain) return null;
  const value = plain[1] !== undefined ? plain[1].replace(/\\(["\\])/g, '$1') : plain[2]!.trim();
  // Node hands header values over byte for byte as latin1.
  const bytes = Buffer.from(value, 'latin1');
  if (/%[0-9a-f]{2}/i.test(value) && bytes.every((b) => b < 0x80)) return percentDecode(value, 'utf-8');
  return decodeText(bytes);
}

function percentDecode(text: string, charset: string): string {
  const bytes = Buffer.from(
    text.replace(/%([0-9a-f]{2})/gi, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))),
    'latin1',
  );
  return iconv.decode(bytes, charset);
}

/** A name, never a path: the last segment, no control or reserved characters, no leading dots. */
export function safeFilename(name: string): string {
  const last = name.split(/[\\/]/).pop() ?? '';
  const clean = last
    .replace(/[\x00-\x1f\x7f<>:"|?*]/g, '_')
    .replace(/^[.\s]+|[.\s]+$/g, '')
    .slice(-120);
  return clean === '' ? 'download' : clean;
}

/** The name with the extension of what the bytes are, so readers that go by extension agree. */
export function nameForKind(name: string, kind: ContentKind): string {
  const lower = name.toLowerCase();
  const keeps = kind === TEXT_LOG ? TEXT_EXTENSIONS.some((e) => lower.endsWith(e)) : lower.endsWith(kind.extension);
  return keeps ? name : name + kind.extension;
}

/**
 * Between the response and the file: counts and hashes the bytes, stops at the size cap, and
 * refuses content that is not a log or an archive as soon as its first bytes are in.
 */
export class DownloadGuard extends Transform {
  private readonly hash = crypto.createHash('sha256');
  private head: Buffer[] = [];
  private headBytes = 0;
  size = 0;
  kind: ContentKind | null = null;

  constructor(
    private readonly maxBytes: number,
    private readonly tooBig: () => Error,
  ) {
    super();
  }

  /** Once, after the last byte. */
  sha256(): string {
    return this.hash.digest('hex');
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.size += chunk.length;
    if (this.size > this.maxBytes) return callback(this.tooBig());
    this.hash.update(chunk);
    try {
      if (!this.kind) {
        this.head.push(chunk);
        this.headBytes += chunk.length;
        if (this.headBytes >= SNIFF_BYTES) this.sniff();
      }
    } catch (err) {
      return callback(err as Error);
    }
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    try {
      if (!this.kind) this.sniff();
      callback();
    } catch (err) {
      callback(err as Error);
    }
  }

  private sniff(): void {
    this.kind = sniffContent(Buffer.concat(this.head).subarray(0, SNIFF_BYTES));
    this.head = [];
  }
}
