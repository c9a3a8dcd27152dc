/**
 * Archives for the bundle reader's tests, built at test time: good bundles in every format a
 * customer sends (with yazl and the Debian tools 7zz and gcab), and the hostile corpus (bombs,
 * traversal names, links, truncation, encryption, entry floods, lying directories). Zip entries
 * that zip writers refuse to make (`..` names, a lying size) come from a small raw zip writer;
 * RAR, which no free tool writes, from small stored-only RAR4/RAR5 writers; winmail.dat from a
 * TNEF writer.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import yazl from 'yazl';
import type { Problem } from '../../src/core/intake/problem';
import type { BundleSource } from '../../src/ports/bundle-reader';

export const LOG = Buffer.from('2022-04-15 15:00:13, Info                  SP     x\r\n');

export function tempFolder(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'casebot-test-archives-'));
}

/** An attachment as the mail adapter leaves it: a file on disk with its hash. */
export function attach(dir: string, filename: string, bytes: Buffer, contentType = 'application/octet-stream'): BundleSource {
  const file = path.join(dir, `attachment-${createHash('sha256').update(filename).update(bytes).digest('hex').slice(0, 16)}`);
  fs.writeFileSync(file, bytes);
  return { filename, contentType, size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex'), file };
}

export interface ZipEntrySpec {
  name: string;
  content: Buffer;
  mode?: number;
}

export function yazlZip(entries: ZipEntrySpec[], options: { zip64?: boolean } = {}): Promise<Buffer> {
  const z = new yazl.ZipFile();
  for (const e of entries) {
    z.addBuffer(e.content, e.name, {
      mtime: new Date('2022-04-15T00:00:00Z'),
      ...(e.mode ? { mode: e.mode } : {}),
      ...(options.zip64 ? { forceZip64Format: true } : {}),
    });
  }
  z.end();
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    z.outputStream.on('data', (c: Buffer) => chunks.push(c));
    z.outputStream.on('end', () => resolve(Buffer.concat(chunks)));
  });
}

export interface RawZipEntry {
  name: string;
  /** The entry's data as stored (already deflated when method is 8). */
  data: Buffer;
  method?: 0 | 8;
  crc?: number;
  /** What the directory declares; defaults to the data's real size. */
  declaredSize?: number;
}

/** A zip written byte by byte, for entries that real zip writers refuse to make. */
export function rawZip(entries: RawZipEntry[]): Buffer {
  const locals: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name, 'utf8');
    const method = e.method ?? 0;
    const crc = e.crc ?? zlib.crc32(e.data);
    const size = e.declaredSize ?? e.data.length;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6);
    local.writeUInt16LE(method, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(e.data.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    const dir = Buffer.alloc(46);
    dir.writeUInt32LE(0x02014b50, 0);
    dir.writeUInt16LE(20, 4);
    dir.writeUInt16LE(20, 6);
    dir.writeUInt16LE(0x0800, 8);
    dir.writeUInt16LE(method, 10);
    dir.writeUInt32LE(crc, 16);
    dir.writeUInt32LE(e.data.length, 20);
    dir.writeUInt32LE(size, 24);
    dir.writeUInt16LE(name.length, 28);
    dir.writeUInt32LE(offset, 42);
    locals.push(local, name, e.data);
    central.push(dir, name);
    offset += local.length + name.length + e.data.length;
  }
  const cd = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

/** `megabytes` MB of zeros as one raw deflate stream (~1 KB per MB) and its CRC, made in milliseconds. */
export function deflatedZeros(megabytes: number): { data: Buffer; crc: number; size: number } {
  const mb = Buffer.alloc(1024 * 1024);
  // A full flush ends each piece on a byte boundary with no back-references: pieces concatenate.
  const piece = zlib.deflateRawSync(mb, { finishFlush: zlib.constants.Z_FULL_FLUSH });
  let crc = 0;
  for (let i = 0; i < megabytes; i++) crc = zlib.crc32(mb, crc);
  const finalEmptyBlock = Buffer.from([0x03, 0x00]);
  return { data: Buffer.concat([...Array<Buffer>(megabytes).fill(piece), finalEmptyBlock]), crc, size: megabytes * 1024 * 1024 };
}

/** Runs 7-Zip (`7zz a [switches] archive files…`) in `cwd` and returns the archive it wrote. */
export function sevenZip(cwd: string, archive: string, files: string[], switches: string[] = []): Buffer {
  execFileSync('7zz', ['a', ...switches, archive, ...files], { cwd, stdio: 'ignore' });
  return fs.readFileSync(path.join(cwd, archive));
}

/** A folder of files to archive with the Debian tools. */
export function folderWith(files: Record<string, Buffer>): string {
  const dir = tempFolder();
  for (const [name, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), content);
  }
  return dir;
}

// ---------------------------------------------------------------------------------------------
// RAR (stored entries only), after the published RAR 4 and RAR 5 format notes.

export interface RarEntry {
  name: string;
  content: Buffer;
  /** A unix symlink to this target instead of a file. */
  symlinkTo?: string;
  /** Marks the entry's data as encrypted (the data is left as it is: only detection is tested). */
  encrypted?: boolean;
}

function vint(n: number): Buffer {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n = Math.floor(n / 128);
    if (n > 0) b |= 0x80;
    out.push(b);
  } while (n > 0);
  return Buffer.from(out);
}

function rar5Block(fields: Buffer, data: Buffer = Buffer.alloc(0)): Buffer {
  const size = vint(fields.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32LE(zlib.crc32(Buffer.concat([size, fields])));
  return Buffer.concat([crc, size, fields, data]);
}

/** A RAR 5 archive; `encryptedHeaders` writes an archive-encryption header first, as `rar -hp` does. */
export function rar5(entries: RarEntry[], options: { encryptedHeaders?: boolean } = {}): Buffer {
  const blocks: Buffer[] = [Buffer.from('Rar!\x1a\x07\x01\x00', 'latin1')];
  if (options.encryptedHeaders) {
    blocks.push(rar5Block(Buffer.concat([vint(4), vint(0), vint(0), vint(0), Buffer.from([15]), Buffer.alloc(16, 7)])));
    blocks.push(Buffer.alloc(64, 0x5a));
    return Buffer.concat(blocks);
  }
  blocks.push(rar5Block(Buffer.concat([vint(1), vint(0), vint(0)])));
  for (const e of entries) {
    const data = e.symlinkTo !== undefined ? Buffer.alloc(0) : e.content;
    const extras: Buffer[] = [];
    if (e.symlinkTo !== undefined) {
      const target = Buffer.from(e.symlinkTo, 'utf8');
      const record = Buffer.concat([vint(5), vint(1), vint(0), vint(target.length), target]);
      extras.push(vint(record.length), record);
    }
    if (e.encrypted) {
      const record = Buffer.concat([vint(1), vint(0), vint(0), Buffer.from([15]), Buffer.alloc(16, 1), Buffer.alloc(16, 2)]);
      extras.push(vint(record.length), record);
    }
    const extra = Buffer.concat(extras);
    const name = Buffer.from(e.name, 'utf8');
    const crc = Buffer.alloc(4);
    crc.writeUInt32LE(zlib.crc32(data));
    const headerFlags = 0x02 | (extra.length ? 0x01 : 0);
    const fields = Buffer.concat([
      vint(2),
      vint(headerFlags),
      ...(extra.length ? [vint(extra.length)] : []),
      vint(data.length),
      vint(0x04), // file flags: CRC32 present
      vint(data.length),
      vint(e.symlinkTo !== undefined ? 0o120777 : 0o100644),
      crc,
      vint(0), // compression: version 0, stored
      vint(1), // host OS: unix
      vint(name.length),
      name,
      extra,
    ]);
    blocks.push(rar5Block(fields, data));
  }
  blocks.push(rar5Block(Buffer.concat([vint(5), vint(0), vint(0)])));
  return Buffer.concat(blocks);
}

function rar4Block(type: number, flags: number, body: Buffer, data: Buffer = Buffer.alloc(0)): Buffer {
  const head = Buffer.alloc(5);
  head.writeUInt8(type, 0);
  head.writeUInt16LE(flags, 1);
  head.writeUInt16LE(7 + body.length, 3);
  const crc = Buffer.alloc(2);
  crc.writeUInt16LE(zlib.crc32(Buffer.concat([head, body])) & 0xffff);
  return Buffer.concat([crc, head, body, data]);
}

/** A RAR 4 (RAR 2.9 format) archive. */
export function rar4(entries: RarEntry[]): Buffer {
  const blocks: Buffer[] = [Buffer.from('Rar!\x1a\x07\x00', 'latin1'), rar4Block(0x73, 0, Buffer.alloc(6))];
  for (const e of entries) {
    const data = e.symlinkTo !== undefined ? Buffer.from(e.symlinkTo, 'utf8') : e.content;
    const name = Buffer.from(e.name, 'utf8');
    const body = Buffer.alloc(25);
    body.writeUInt32LE(data.length, 0); // packed size
    body.writeUInt32LE(data.length, 4); // unpacked size
    body.writeUInt8(3, 8); // host OS: unix
    body.writeUInt32LE(zlib.crc32(data), 9);
    body.writeUInt32LE(0x548f0000, 13); // DOS time, 2022-04-15
    body.writeUInt8(20, 17); // version needed: 2.0
    body.writeUInt8(0x30, 18); // method: store
    body.writeUInt16LE(name.length, 19);
    body.writeUInt32LE(e.symlinkTo !== undefined ? 0o120777 : 0o100644, 21);
    const flags = 0x8000 | (e.encrypted ? 0x04 : 0);
    blocks.push(rar4Block(0x74, flags, Buffer.concat([body, name]), data));
  }
  blocks.push(rar4Block(0x7b, 0x4000, Buffer.alloc(0)));
  return Buffer.concat(blocks);
}

// ---------------------------------------------------------------------------------------------
// TNEF (winmail.dat)

function tnefAttribute(level: number, id: number, type: number, data: Buffer): Buffer {
  const head = Buffer.alloc(9);
  head.writeUInt8(level, 0);
  head.writeUInt32LE(((type << 16) | id) >>> 0, 1);
  head.writeUInt32LE(data.length, 5);
  const sum = Buffer.alloc(2);
  sum.writeUInt16LE(data.reduce((a, b) => (a + b) & 0xffff, 0));
  return Buffer.concat([head, data, sum]);
}

function pad4(b: Buffer): Buffer {
  return Buffer.concat([b, Buffer.alloc((4 - (b.length % 4)) % 4)]);
}

/**
 * A winmail.dat as Outlook writes it: each attachment's 8.3 title and data as TNEF attributes,
 * or (`mapiOnly`) its long name and data only as MAPI properties in attAttachment.
 */
export function winmailDat(attachments: { name: string; content: Buffer; mapiOnly?: boolean }[]): Buffer {
  const parts: Buffer[] = [Buffer.from([0x78, 0x9f, 0x3e, 0x22, 0x01, 0x00])];
  parts.push(tnefAttribute(1, 0x9006, 0x0006, Buffer.from([0x00, 0x00, 0x01, 0x00]))); // attTnefVersion
  for (const a of attachments) {
    parts.push(tnefAttribute(2, 0x9002, 0x0006, Buffer.alloc(14))); // attAttachRendData
    const longName = Buffer.from(`${a.name}\0`, 'utf16le');
    const props: Buffer[] = [];
    const prop = (type: number, id: number, value: Buffer) => {
      const head = Buffer.alloc(4);
      head.writeUInt16LE(type, 0);
      head.writeUInt16LE(id, 2);
      const count = Buffer.alloc(8);
      count.writeUInt32LE(1, 0);
      count.writeUInt32LE(value.length, 4);
      props.push(head, count, pad4(value));
    };
    const long = Buffer.alloc(4);
    long.writeUInt16LE(0x0003, 0);
    long.writeUInt16LE(0x0e21, 2); // PR_ATTACH_NUM, a fixed-size property to skip
    props.push(long, Buffer.from([1, 0, 0, 0]));
    prop(0x001f, 0x3707, longName);
    if (a.mapiOnly) prop(0x0102, 0x3701, a.content);
    else {
      parts.push(tnefAttribute(2, 0x8010, 0x0001, Buffer.from(`${a.name.slice(0, 8)}\0`, 'latin1')));
      parts.push(tnefAttribute(2, 0x800f, 0x0006, a.content));
    }
    const count = Buffer.alloc(4);
    count.writeUInt32LE(a.mapiOnly ? 3 : 2);
    parts.push(tnefAttribute(2, 0x9005, 0x0006, Buffer.concat([count, ...props])));
  }
  return Buffer.concat(parts);
}

// ---------------------------------------------------------------------------------------------
// The hostile corpus

const MB = 1024 * 1024;

/** A zip of zips `depth` deep with a log at the bottom. */
async function nestedZips(depth: number): Promise<Buffer> {
  let zip = await yazlZip([{ name: 'setupact.log', content: LOG }]);
  for (let level = depth; level > 0; level--) zip = await yazlZip([{ name: `level${level}.zip`, content: zip }]);
  return zip;
}

/**
 * 42.zip's shape: 16 zips of 16 zips of … of a zip holding 1 GB of zeros. Each layer deflates
 * the identical copies below it to almost nothing, so the whole is a few hundred KB.
 */
async function fanOutBomb(layers: number): Promise<Buffer> {
  const zeros = deflatedZeros(1024);
  let zip = rawZip([{ name: 'zeros.log', data: zeros.data, method: 8, crc: zeros.crc, declaredSize: zeros.size }]);
  for (let layer = layers; layer > 0; layer--) {
    const copy = zip;
    zip = await yazlZip(Array.from({ length: 16 }, (_, i) => ({ name: `l${layer}-${i.toString(16)}.zip`, content: copy })));
  }
  return zip;
}

/** A 7z made by 7zz from `files` (symlinks given as `{ link: target }`), with `switches`. */
function sevenZipOf(files: Record<string, Buffer | { link: string }>, switches: string[] = []): Buffer {
  const dir = tempFolder();
  try {
    for (const [name, content] of Object.entries(files)) {
      const at = path.join(dir, name);
      fs.mkdirSync(path.dirname(at), { recursive: true });
      if (Buffer.isBuffer(content)) fs.writeFileSync(at, content);
      else fs.symlinkSync(content.link, at);
    }
    return sevenZip(dir, 'out.archive', Object.keys(files), switches);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function half(b: Buffer): Buffer {
  return b.subarray(0, Math.floor(b.length / 2));
}

export interface HostileCase {
  /** What the attachment is called. */
  filename: string;
  build(): Promise<Buffer> | Buffer;
}

export const HOSTILE: Record<string, HostileCase> = {
  'zip bomb: 1 GB of zeros deflated to 1 MB': {
    filename: 'bomb.zip',
    build: () => {
      const z = deflatedZeros(1024);
      return rawZip([{ name: 'setupact.log', data: z.data, method: 8, crc: z.crc, declaredSize: z.size }]);
    },
  },
  'zip bomb under the size cap: 300 MB of zeros': {
    filename: 'ratio.zip',
    build: () => {
      const z = deflatedZeros(300);
      return rawZip([{ name: 'setupact.log', data: z.data, method: 8, crc: z.crc, declaredSize: z.size }]);
    },
  },
  'zip bomb whose directory lies: 1 MB declared, 300 MB inside': {
    filename: 'liar.zip',
    build: () => {
      const z = deflatedZeros(300);
      return rawZip([{ name: 'setupact.log', data: z.data, method: 8, crc: z.crc, declaredSize: MB }]);
    },
  },
  '42.zip-style nested bomb': { filename: '42.zip', build: () => fanOutBomb(4) },
  'nested-zip depth bomb': { filename: 'deep.zip', build: () => nestedZips(10) },
  'traversal and absolute names': {
    filename: 'traversal.zip',
    build: () =>
      rawZip([
        { name: '../../etc/passwd', data: LOG },
        { name: 'C:\\Windows\\x.log', data: LOG },
        { name: '/abs.log', data: LOG },
        { name: 'UpgradeLog/setupact.log', data: LOG },
      ]),
  },
  'zip with a unix symlink entry': {
    filename: 'symlink.zip',
    build: () =>
      yazlZip([
        { name: 'UpgradeLog/evil.log', content: Buffer.from('/etc/passwd'), mode: 0o120777 },
        { name: 'UpgradeLog/setupact.log', content: LOG },
      ]),
  },
  '7z with a symlink': {
    filename: 'symlink.7z',
    build: () => sevenZipOf({ 'UpgradeLog/evil.log': { link: '/etc/passwd' }, 'UpgradeLog/setupact.log': LOG }, ['-snl']),
  },
  'rar5 with a symlink': {
    filename: 'symlink.rar',
    build: () =>
      rar5([
        { name: 'UpgradeLog/evil.log', content: Buffer.alloc(0), symlinkTo: '/etc/passwd' },
        { name: 'UpgradeLog/setupact.log', content: LOG },
      ]),
  },
  'truncated zip': {
    filename: 'cut.zip',
    build: async () => half(await yazlZip([{ name: 'setupact.log', content: Buffer.alloc(64 * 1024, 'x') }])),
  },
  'truncated 7z': { filename: 'cut.7z', build: () => half(sevenZipOf({ 'setupact.log': Buffer.alloc(64 * 1024, 'x') })) },
  'encrypted zip (ZipCrypto, 7zz -p)': { filename: 'secret.zip', build: () => sevenZipOf({ 'setupact.log': LOG }, ['-tzip', '-pSecret']) },
  'encrypted 7z data (7zz -p)': { filename: 'secret.7z', build: () => sevenZipOf({ 'setupact.log': LOG }, ['-pSecret']) },
  'encrypted 7z headers (7zz -p -mhe=on)': {
    filename: 'hidden.7z',
    build: () => sevenZipOf({ 'setupact.log': LOG }, ['-pSecret', '-mhe=on']),
  },
  'encrypted rar5 headers': { filename: 'hidden.rar', build: () => rar5([], { encryptedHeaders: true }) },
  'encrypted rar5 data': {
    filename: 'secret5.rar',
    build: () => rar5([{ name: 'setupact.log', content: Buffer.alloc(64, 1), encrypted: true }]),
  },
  'encrypted rar4 data': {
    filename: 'secret4.rar',
    build: () => rar4([{ name: 'setupact.log', content: Buffer.alloc(64, 1), encrypted: true }]),
  },
  '10,000 tiny entries': {
    filename: 'flood.zip',
    build: () => rawZip(Array.from({ length: 10_000 }, (_, i) => ({ name: `logs/${i}.log`, data: Buffer.from('x') }))),
  },
  'directory declaring a 2 GB entry': {
    filename: 'huge.zip',
    build: () =>
      rawZip([{ name: 'setupact.log', data: zlib.deflateRawSync(LOG), method: 8, crc: zlib.crc32(LOG), declaredSize: 2 * 1024 * MB }]),
  },
};

const MB512 = 512 * MB;
const link = (file: string): Partial<Problem> => ({ code: 'LINK_ENTRY', file, entry: 'UpgradeLog/evil.log' });
const encrypted = (file: string): Partial<Problem> => ({ code: 'ENCRYPTED', file, entry: null });

/** What the bundle reader gives for each hostile case: the bundle's problems (codes and facts), and the logs still read from it. */
export const HOSTILE_REFUSALS: Record<string, { problems: Partial<Problem>[]; logs?: string[] }> = {
  'zip bomb: 1 GB of zeros deflated to 1 MB': {
    problems: [{ code: 'ENTRY_TOO_LARGE', file: 'bomb.zip', entry: 'setupact.log', limitBytes: MB512 }],
  },
  'zip bomb under the size cap: 300 MB of zeros': { problems: [{ code: 'ZIP_BOMB', file: 'ratio.zip', entry: 'setupact.log' }] },
  // Its listing looks harmless; the read stops just past the declared 1 MB (below).
  'zip bomb whose directory lies: 1 MB declared, 300 MB inside': { problems: [], logs: ['setupact.log'] },
  '42.zip-style nested bomb': {
    problems: [{ code: 'ZIP_BOMB', file: '42.zip', entry: 'l1-0.zip/l2-0.zip/l3-0.zip/l4-0.zip' }],
  },
  'nested-zip depth bomb': {
    problems: [{ code: 'NESTING_TOO_DEEP', file: 'deep.zip', entry: 'level1.zip/level2.zip/level3.zip/level4.zip', limit: 3 }],
  },
  'traversal and absolute names': {
    problems: [
      { code: 'PATH_TRAVERSAL', file: 'traversal.zip', entry: '../../etc/passwd', why: 'parent' },
      { code: 'PATH_TRAVERSAL', file: 'traversal.zip', entry: 'C:/Windows/x.log', why: 'drive' },
      { code: 'PATH_TRAVERSAL', file: 'traversal.zip', entry: '/abs.log', why: 'absolute' },
    ],
    logs: ['UpgradeLog/setupact.log'],
  },
  'zip with a unix symlink entry': { problems: [link('symlink.zip')], logs: ['UpgradeLog/setupact.log'] },
  '7z with a symlink': { problems: [link('symlink.7z')], logs: ['UpgradeLog/setupact.log'] },
  'rar5 with a symlink': { problems: [link('symlink.rar')], logs: ['UpgradeLog/setupact.log'] },
  'truncated zip': { problems: [{ code: 'ARCHIVE_TRUNCATED', file: 'cut.zip' }] },
  'truncated 7z': { problems: [{ code: 'ARCHIVE_TRUNCATED', file: 'cut.7z' }] },
  'encrypted zip (ZipCrypto, 7zz -p)': { problems: [{ code: 'ENCRYPTED', file: 'secret.zip', entry: 'setupact.log' }] },
  'encrypted 7z data (7zz -p)': { problems: [{ code: 'ENCRYPTED', file: 'secret.7z', entry: 'setupact.log' }] },
  'encrypted 7z headers (7zz -p -mhe=on)': { problems: [encrypted('hidden.7z')] },
  'encrypted rar5 headers': { problems: [encrypted('hidden.rar')] },
  'encrypted rar5 data': { problems: [encrypted('secret5.rar')] },
  'encrypted rar4 data': { problems: [encrypted('secret4.rar')] },
  '10,000 tiny entries': { problems: [{ code: 'TOO_MANY_ENTRIES', file: 'flood.zip', limit: 5000 }] },
  'directory declaring a 2 GB entry': {
    problems: [{ code: 'ENTRY_TOO_LARGE', file: 'huge.zip', entry: 'setupact.log', limitBytes: MB512 }],
  },
};
