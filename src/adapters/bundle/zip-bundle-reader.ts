// BundleReader for zip bundles (yauzl) and loose log files. The zip's directory is checked
// against the limits first (entry count, declared sizes, compression ratio, encryption); each
// log entry is then streamed to the analyzer when asked for, never held whole. Entry names are
// decoded as UTF-8 when they are valid UTF-8 and as GB18030 otherwise (Chinese Windows writes
// GBK names), and `\` is read as a separator. Nothing is written to disk.

import zlib from 'node:zlib';
import iconv from 'iconv-lite';
import yauzl from 'yauzl';
import { isValidUtf8 } from '../../core/analyze/decode-text';
import type { BundleLimits } from '../../core/limits';
import { logFromBuffer, type LogFileInput, type MailAttachment } from '../../core/types';
import type { BundleContents, BundleReader } from '../../ports/bundle-reader';

const LOG_EXTENSIONS = ['.log', '.txt', '.xml', '.json'];
const ARCHIVE_EXTENSIONS = ['.zip'];
const UNSUPPORTED_ARCHIVES = ['.7z', '.rar', '.cab', '.tar', '.gz'];
const ZIP_TYPES = ['application/zip', 'application/x-zip-compressed', 'application/x-zip'];

class BundleRefused extends Error {}

const INFLATE_CHUNK = 1024 * 1024;

/** Where a zip's bytes are: in memory (a mail attachment) or in a file (the command line). */
type ZipSource = () => Promise<yauzl.ZipFile>;

export class ZipBundleReader implements BundleReader {
  constructor(private readonly limits: BundleLimits) {}

  isLogAttachment(a: MailAttachment): boolean {
    const ext = extension(a.filename);
    return ZIP_TYPES.includes(a.contentType) || [...LOG_EXTENSIONS, ...ARCHIVE_EXTENSIONS, ...UNSUPPORTED_ARCHIVES].includes(ext);
  }

  async read(a: MailAttachment): Promise<BundleContents> {
    const ext = extension(a.filename);
    if (LOG_EXTENSIONS.includes(ext)) return { files: [logFromBuffer(a.filename, a.content)], problems: [] };
    if (UNSUPPORTED_ARCHIVES.includes(ext)) {
      return { files: [], problems: [`附件 ${a.filename} 是 ${ext} 格式的压缩包，目前只能读取 zip 格式，请用 zip 格式重新压缩后发送。`] };
    }
    return this.readArchive(a.filename, () => openBuffer(a.content));
  }

  /** A zip file on disk, streamed from the file (for `casebot analyze` on big bundles). */
  async readFile(path: string, name: string): Promise<BundleContents> {
    return this.readArchive(name, () => openPath(path));
  }

  private async readArchive(name: string, source: ZipSource): Promise<BundleContents> {
    const budget = { entries: 0, bytes: 0 };
    try {
      const files = await this.listZip(source, '', 0, budget);
      return { files, problems: files.length === 0 ? [`附件 ${name} 中没有日志文件（.log/.txt/.xml/.json）。`] : [] };
    } catch (err) {
      const reason = err instanceof BundleRefused ? err.message : `不是有效的 zip 文件或已损坏（${(err as Error).message}）`;
      return { files: [], problems: [`附件 ${name} 无法读取：${reason}。`] };
    }
  }

  private async listZip(source: ZipSource, prefix: string, depth: number, budget: { entries: number; bytes: number }): Promise<LogFileInput[]> {
    if (depth > this.limits.maxNestingDepth) throw new BundleRefused(`压缩包嵌套超过 ${this.limits.maxNestingDepth} 层`);
    const zip = await source();
    const files: LogFileInput[] = [];
    try {
      for (let entry = await nextEntry(zip); entry; entry = await nextEntry(zip)) {
        if (++budget.entries > this.limits.maxEntries) throw new BundleRefused(`文件数超过 ${this.limits.maxEntries} 个`);
        const name = prefix + entryName(entry);
        if (name.endsWith('/')) continue;
        const ext = extension(name);
        if (!LOG_EXTENSIONS.includes(ext) && !ARCHIVE_EXTENSIONS.includes(ext)) continue;
        if ((entry.generalPurposeBitFlag & 0x1) !== 0) throw new BundleRefused(`压缩包已加密（${name}），请不要设置密码`);
        if (entry.uncompressedSize > this.limits.maxFileBytes) throw new BundleRefused(`文件 ${name} 超过 ${mb(this.limits.maxFileBytes)}`);
        if (entry.compressedSize > 0 && entry.uncompressedSize / entry.compressedSize > this.limits.maxCompressionRatio) {
          throw new BundleRefused(`文件 ${name} 的压缩比异常（疑似压缩炸弹）`);
        }
        budget.bytes += entry.uncompressedSize;
        if (budget.bytes > this.limits.maxTotalBytes) throw new BundleRefused(`解压后总大小超过 ${mb(this.limits.maxTotalBytes)}`);
        if (ARCHIVE_EXTENSIONS.includes(ext)) {
          // A nested zip needs random access: it is read into memory (within the per-file limit).
          const inner = await readAll(zip, entry, this.limits.maxFileBytes);
          files.push(...(await this.listZip(() => openBuffer(inner), `${name}/`, depth + 1, budget)));
        } else {
          files.push(entryLog(source, name, entry, this.limits.maxFileBytes));
        }
      }
    } finally {
      zip.close();
    }
    return files;
  }
}

/** A log inside a zip: each `open()` reopens the zip and streams just this entry. */
function entryLog(source: ZipSource, name: string, listed: yauzl.Entry, maxBytes: number): LogFileInput {
  const offset = listed.relativeOffsetOfLocalHeader;
  return {
    path: name,
    async *open() {
      const zip = await source();
      try {
        for (let entry = await nextEntry(zip); entry; entry = await nextEntry(zip)) {
          if (entry.relativeOffsetOfLocalHeader !== offset) continue;
          let size = 0;
          for await (const chunk of await openInflated(zip, entry)) {
            size += (chunk as Buffer).length;
            if (size > maxBytes) throw new BundleRefused(`文件 ${name} 超过 ${mb(maxBytes)}`);
            yield chunk as Buffer;
          }
          return;
        }
      } finally {
        zip.close();
      }
    },
  };
}

function extension(name: string): string {
  const m = /\.[A-Za-z0-9]+$/.exec(name);
  return m ? m[0].toLowerCase() : '';
}

function mb(bytes: number): string {
  return `${Math.round(bytes / 1024 / 1024)} MB`;
}

/** Decoded by what the bytes are: zip tools set (or omit) the UTF-8 flag wrongly. */
function entryName(entry: yauzl.Entry): string {
  const raw = entry.fileName as unknown as Buffer;
  const name = isValidUtf8(raw) ? raw.toString('utf8') : iconv.decode(raw, 'gb18030');
  return name.replace(/\\/g, '/').replace(/^\/+/, '');
}

const ZIP_OPTIONS: yauzl.Options = { lazyEntries: true, decodeStrings: false, validateEntrySizes: true, strictFileNames: false, autoClose: false };

function openBuffer(buffer: Buffer): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(buffer, ZIP_OPTIONS, (err, zip) => (err || !zip ? reject(err ?? new Error('no zip')) : resolve(zip)));
  });
}

function openPath(path: string): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) => {
    yauzl.open(path, ZIP_OPTIONS, (err, zip) => (err || !zip ? reject(err ?? new Error('no zip')) : resolve(zip)));
  });
}

function nextEntry(zip: yauzl.ZipFile): Promise<yauzl.Entry | null> {
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      zip.removeListener('entry', onEntry);
      zip.removeListener('end', onEnd);
      zip.removeListener('error', onError);
    };
    const onEntry = (e: yauzl.Entry) => (cleanup(), resolve(e));
    const onEnd = () => (cleanup(), resolve(null));
    const onError = (err: Error) => (cleanup(), reject(err));
    zip.on('entry', onEntry);
    zip.on('end', onEnd);
    zip.on('error', onError);
    zip.readEntry();
  });
}

function openStream(zip: yauzl.ZipFile, entry: yauzl.Entry): Promise<NodeJS.ReadableStream> {
  return new Promise((resolve, reject) => {
    zip.openReadStream(entry, (err, stream) => (err || !stream ? reject(err ?? new Error('no stream')) : resolve(stream)));
  });
}

/**
 * The entry's bytes, inflated in 1 MB pieces with room to run ahead: yauzl's own inflater hands
 * out 16 KB pieces one at a time, which leaves the analyzer waiting on the zlib thread.
 */
async function openInflated(zip: yauzl.ZipFile, entry: yauzl.Entry): Promise<NodeJS.ReadableStream> {
  if (entry.compressionMethod !== 8) return openStream(zip, entry);
  const raw = await new Promise<NodeJS.ReadableStream>((resolve, reject) => {
    zip.openReadStream(entry, { decompress: false } as yauzl.ZipFileOptions, (err, stream) => (err || !stream ? reject(err ?? new Error('no stream')) : resolve(stream)));
  });
  // A deep read-ahead lets the zlib thread inflate while the analyzer scans.
  const inflate = zlib.createInflateRaw({ chunkSize: INFLATE_CHUNK, readableHighWaterMark: 8 * INFLATE_CHUNK } as zlib.ZlibOptions);
  raw.on('error', (err: Error) => inflate.destroy(err));
  return raw.pipe(inflate);
}

async function readAll(zip: yauzl.ZipFile, entry: yauzl.Entry, maxBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of await openStream(zip, entry)) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) throw new BundleRefused(`文件超过 ${mb(maxBytes)}`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}
