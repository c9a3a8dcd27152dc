// Outlook's winmail.dat (application/ms-tnef): the attachments it carries, found by name and
// byte range so that they are read from the file in place. TNEF is a signature and a key, then
// attributes (level, id, length, data, checksum); each attachment starts at attAttachRendData
// and has its data in attAttachData, its 8.3 name in attAttachTitle, and its MAPI properties
// (long file name, and the data again when attAttachData is absent) in attAttachment.

import { decodeText } from '../../core/analyze/decode-text';

export interface TnefAttachment {
  name: string;
  start: number;
  length: number;
}

export class TnefError extends Error {}

const TNEF_SIGNATURE = 0x223e9f78;
const LEVEL_ATTACHMENT = 2;
const ATT_ATTACH_DATA = 0x800f;
const ATT_ATTACH_TITLE = 0x8010;
const ATT_ATTACH_REND_DATA = 0x9002;
const ATT_ATTACHMENT = 0x9005;

const PR_ATTACH_DATA_BIN = 0x3701;
const PR_ATTACH_FILENAME = 0x3704;
const PR_ATTACH_LONG_FILENAME = 0x3707;
const PT_BINARY = 0x0102;
const PT_STRING8 = 0x001e;
const PT_UNICODE = 0x001f;
const PT_OBJECT = 0x000d;
const MV_FLAG = 0x1000;
/** Bytes of one value of each fixed-size MAPI type as TNEF writes it (padded to 4). */
const FIXED_SIZE: Record<number, number> = {
  0x0002: 4,
  0x0003: 4,
  0x0004: 4,
  0x0005: 8,
  0x0006: 8,
  0x0007: 8,
  0x000a: 4,
  0x000b: 4,
  0x0014: 8,
  0x0040: 8,
  0x0048: 16,
};

interface Draft {
  title?: string;
  longName?: string;
  data?: { start: number; length: number };
}

export function isTnef(bytes: Buffer): boolean {
  return bytes.length >= 6 && bytes.readUInt32LE(0) === TNEF_SIGNATURE;
}

export function decodeTnef(bytes: Buffer): TnefAttachment[] {
  if (!isTnef(bytes)) throw new TnefError('no TNEF signature');
  const drafts: Draft[] = [];
  let at = 6;
  while (at < bytes.length) {
    if (at + 9 > bytes.length) throw new TnefError(`attribute header cut at ${at}`);
    const level = bytes[at]!;
    const id = bytes.readUInt32LE(at + 1) & 0xffff;
    const length = bytes.readUInt32LE(at + 5);
    const start = at + 9;
    if (start + length + 2 > bytes.length) throw new TnefError(`attribute 0x${id.toString(16)} runs past the end`);
    if (level === LEVEL_ATTACHMENT) {
      if (id === ATT_ATTACH_REND_DATA) drafts.push({});
      const current = drafts[drafts.length - 1];
      if (current) {
        if (id === ATT_ATTACH_TITLE) current.title = cString(bytes.subarray(start, start + length));
        if (id === ATT_ATTACH_DATA) current.data = { start, length };
        if (id === ATT_ATTACHMENT) readMapi(bytes, start, start + length, current);
      }
    }
    at = start + length + 2;
  }
  return drafts.flatMap((d) => {
    const name = d.longName || d.title;
    return name && d.data ? [{ name, start: d.data.start, length: d.data.length }] : [];
  });
}

/** The MAPI properties that name an attachment and hold its data; the rest are skipped. */
function readMapi(bytes: Buffer, start: number, end: number, draft: Draft): void {
  const need = (n: number) => {
    if (at + n > end) throw new TnefError('MAPI property runs past its attribute');
  };
  let at = start;
  need(4);
  const count = bytes.readUInt32LE(at);
  at += 4;
  for (let i = 0; i < count; i++) {
    need(4);
    const type = bytes.readUInt16LE(at);
    const id = bytes.readUInt16LE(at + 2);
    at += 4;
    if (id >= 0x8000) {
      // A named property: its GUID, then a number or a UTF-16 name.
      need(20);
      const kind = bytes.readUInt32LE(at + 16);
      at += 20;
      need(4);
      at += kind === 0 ? 4 : 4 + pad4(bytes.readUInt32LE(at));
    }
    const base = type & ~MV_FLAG;
    const variable = base === PT_BINARY || base === PT_STRING8 || base === PT_UNICODE || base === PT_OBJECT;
    const fixed = FIXED_SIZE[base];
    if (!variable && fixed === undefined) return; // an unknown type: its size cannot be known
    let values = 1;
    if (variable || (type & MV_FLAG) !== 0) {
      need(4);
      values = bytes.readUInt32LE(at);
      at += 4;
    }
    for (let v = 0; v < values; v++) {
      if (!variable) {
        need(fixed!);
        at += fixed!;
        continue;
      }
      need(4);
      const length = bytes.readUInt32LE(at);
      at += 4;
      need(length);
      const value = bytes.subarray(at, at + length);
      if (id === PR_ATTACH_LONG_FILENAME || (id === PR_ATTACH_FILENAME && !draft.longName)) {
        const name = base === PT_UNICODE ? cString16(value) : cString(value);
        if (name) draft.longName = name;
      }
      if (id === PR_ATTACH_DATA_BIN && base === PT_BINARY && !draft.data) draft.data = { start: at, length };
      at += pad4(length);
    }
  }
}

function pad4(n: number): number {
  return (n + 3) & ~3;
}

/** A NUL-terminated 8-bit string in the sender's ANSI code page: GBK on Chinese Windows. */
function cString(b: Buffer): string {
  const end = b.indexOf(0);
  const raw = b.subarray(0, end < 0 ? b.length : end);
  return decodeText(raw);
}

function cString16(b: Buffer): string {
  return b.toString('utf16le').replace(/\0.*$/s, '');
}
