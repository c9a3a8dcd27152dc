// BundleReader for everything customers send logs in: loose logs, zip (in-process, yauzl), 7z,
// cab, tar/gz (7-Zip), rar (bsdtar), split archives mailed in parts, and Outlook's winmail.dat.
// Attachments are files on disk and are read in place. Every archive is listed first and the
// listing is held to the limits (entry count, sizes, compression ratio, nesting, encryption,
// unsafe names, links); each log is then streamed to the analyzer when it is opened, held to
// the size its archive declared. Nothing a customer sent is ever written out under its own name.

import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { problem, ProblemError, type Problem } from '../../core/intake/problem';
import type { BundleLimits } from '../../core/limits';
import type { LogFileInput } from '../../core/types';
import type { BundleContents, BundleReader, BundleSource } from '../../ports/bundle-reader';
import { localFile, type ArchiveBytes } from './archive-bytes';
import { ArchiveRefused, unsafeName, type ArchiveEntry, type ArchiveFormat } from './archive-entry';
import { ToolMissing } from './run-tool';
import { groupParts, partName, splitName, type Grouped } from './split-parts';
import { decodeTnef, isTnef } from './tnef';
import { bsdtarFormat, sevenZipFormat, type ToolSettings } from './tool-archives';
import { zipFormat } from './zip-archive';

const LOG_EXTENSIONS = ['.log', '.txt', '.xml', '.json'];
const ARCHIVE_EXTENSIONS = ['.zip', '.7z', '.rar', '.cab', '.tar', '.gz', '.tgz'];
const ZIP_TYPES = ['application/zip', 'application/x-zip-compressed', 'application/x-zip'];
const TNEF_TYPES = ['application/ms-tnef', 'application/vnd.ms-tnef'];

/** An attachment, or one carried inside winmail.dat, with where its bytes are. */
interface Source {
  name: string;
  sha256: string;
  size: number;
  bytes: Extract<ArchiveBytes, { kind: 'file' | 'range' }>;
}

/** One bundle's running totals, shared by the archives nested in it. */
interface Walk {
  /** The attachment (or split archive) every problem is told of. */
  file: string;
  entries: number;
  bytes: number;
  archives: number;
  problems: Problem[];
}

export interface ArchiveBundleReaderOptions {
  /** Where the unpacking tools are looked for; this process's PATH by default. */
  searchPath?: string;
}

export class ArchiveBundleReader implements BundleReader {
  private readonly tools: ToolSettings;

  constructor(
    private readonly limits: BundleLimits,
    options: ArchiveBundleReaderOptions = {},
  ) {
    this.tools = { searchPath: options.searchPath ?? process.env.PATH ?? '', idleMs: limits.toolIdleSeconds * 1000 };
  }

  isLogAttachment(a: BundleSource): boolean {
    return isTnefAttachment(a.filename, a.contentType) || ZIP_TYPES.includes(a.contentType) || isLogLike(a.filename);
  }

  async read(attachments: BundleSource[]): Promise<BundleContents[]> {
    const bundles: BundleContents[] = [];
    const sources: Source[] = [];
    for (const a of attachments.filter((x) => this.isLogAttachment(x))) {
      const source: Source = { name: a.filename, sha256: a.sha256, size: a.size, bytes: { kind: 'file', path: a.file } };
      if (!isTnefAttachment(a.filename, a.contentType)) sources.push(source);
      else {
        const inner = await this.unwrapTnef(source);
        if (Array.isArray(inner)) sources.push(...inner);
        else bundles.push(inner);
      }
    }
    for (const group of groupParts(sources, (s) => s.name)) bundles.push(await this.readGroup(group));
    return bundles;
  }

  /** A bundle on disk (`casebot analyze <archive>`), read as if mailed alone. */
  async readFile(path: string, name: string): Promise<BundleContents> {
    const size = (await fs.promises.stat(path)).size;
    const hash = createHash('sha256');
    for await (const chunk of fs.createReadStream(path)) hash.update(chunk as Buffer);
    return this.readGroup({ kind: 'single', item: { name, sha256: hash.digest('hex'), size, bytes: { kind: 'file', path } } });
  }

  /** The log attachments inside winmail.dat, or a bundle saying why it could not be read. */
  private async unwrapTnef(source: Source): Promise<Source[] | BundleContents> {
    const failed = (p: Problem): BundleContents => ({ ...identity(source), files: [], problems: [p] });
    if (source.size > this.limits.maxFileBytes)
      return failed(problem('FILE_TOO_LARGE', { file: source.name, limitBytes: this.limits.maxFileBytes }));
    const bytes = await fs.promises.readFile(source.bytes.path);
    if (!isTnef(bytes)) return failed(problem('TNEF_INVALID', { file: source.name }));
    try {
      return decodeTnef(bytes)
        .filter((a) => isLogLike(a.name))
        .map((a) => ({
          name: a.name,
          sha256: createHash('sha256')
            .update(bytes.subarray(a.start, a.start + a.length))
            .digest('hex'),
          size: a.length,
          bytes: { kind: 'range', path: source.bytes.path, start: a.start, length: a.length, name: a.name },
        }));
    } catch (err) {
      return failed(problem('TNEF_CORRUPT', { file: source.name }, (err as Error).message));
    }
  }

  private async readGroup(group: Grouped<Source>): Promise<BundleContents> {
    if (group.kind === 'single') {
      const source = group.item;
      if (LOG_EXTENSIONS.includes(extension(source.name))) {
        if (source.size > this.limits.maxFileBytes)
          return {
            ...identity(source),
            files: [],
            problems: [problem('FILE_TOO_LARGE', { file: source.name, limitBytes: this.limits.maxFileBytes })],
          };
        return { ...identity(source), files: [this.looseLog(source)], problems: [] };
      }
      return this.readArchive(source.name, identity(source), source.bytes);
    }
    const first = group.parts[0]!;
    const joined = {
      name: first.name,
      // Content identity of the whole: the parts' hashes, in order.
      sha256: createHash('sha256')
        .update(group.parts.map((p) => p.sha256).join('\n'))
        .digest('hex'),
      size: group.parts.reduce((sum, p) => sum + p.size, 0),
    };
    if (group.missing.length > 0) {
      return {
        ...joined,
        files: [],
        problems: [problem('SPLIT_PARTS_MISSING', { file: group.base, missing: group.missing })],
      };
    }
    if (group.style === 'rar-parts') {
      return {
        ...joined,
        files: [],
        problems: [problem('SPLIT_RAR', { file: group.base })],
      };
    }
    if (group.parts.some((p) => p.bytes.kind !== 'file')) {
      return { ...joined, files: [], problems: [problem('SPLIT_IN_TNEF', { file: group.base })] };
    }
    // The tool finds each next part by name: the parts are shown to it under names it expects.
    const base = `archive${extension(group.base)}`;
    const parts = group.parts.map((p) => ({ path: p.bytes.path, name: partName(base, group.style, splitName(p.name)?.index ?? Infinity) }));
    const open = group.style === 'zip-spanned' ? base : parts[0]!.name;
    return this.readArchive(group.base, joined, { kind: 'volumes', parts, open });
  }

  private async readArchive(
    name: string,
    id: Pick<BundleContents, 'name' | 'sha256' | 'size'>,
    bytes: ArchiveBytes,
  ): Promise<BundleContents> {
    const walk: Walk = { file: name, entries: 0, bytes: 0, archives: 0, problems: [] };
    try {
      const files = await this.walk(bytes, name, '', 0, walk);
      const problems = [...walk.problems];
      if (files.length === 0) problems.push(problem('NO_LOG_FILES', { file: name }));
      return { ...id, files, problems };
    } catch (err) {
      return { ...id, files: [], problems: [archiveProblem(err, name, 'archive')] };
    }
  }

  /** The logs in an archive (and in the archives inside it), its listing held to the limits. */
  private async walk(bytes: ArchiveBytes, name: string, prefix: string, depth: number, walk: Walk): Promise<LogFileInput[]> {
    const limits = this.limits;
    const file = walk.file;
    const refuse = (p: Problem): never => {
      throw new ProblemError(p);
    };
    if (depth > limits.maxNestingDepth)
      refuse(problem('NESTING_TOO_DEEP', { file, entry: prefix.slice(0, -1), limit: limits.maxNestingDepth }));
    if (depth > 0 && ++walk.archives > limits.maxNestedArchives)
      refuse(problem('TOO_MANY_NESTED_ARCHIVES', { file, limit: limits.maxNestedArchives }));
    const local = await localFile(bytes);
    let format: ArchiveFormat;
    let entries: ArchiveEntry[];
    try {
      format = await this.formatOf(local.path, bytes);
      entries = await format.list(local.path, limits.maxEntries - walk.entries).catch((err: unknown) => {
        throw new ProblemError(archiveProblem(err, file, format.label));
      });
    } finally {
      await local.release();
    }
    // A gzip stream holds one file, which 7-Zip names after the file it read (ours, not the customer's).
    if (format.label === 'gz') entries = entries.map((e) => ({ ...e, name: name.replace(/\.tgz$/i, '.tar').replace(/\.gz$/i, '') }));
    walk.entries += entries.length;
    if (walk.entries > limits.maxEntries) refuse(problem('TOO_MANY_ENTRIES', { file, limit: limits.maxEntries }));

    const logs: { path: string; entry: ArchiveEntry }[] = [];
    const archives: { path: string; entry: ArchiveEntry }[] = [];
    let declared = 0;
    for (const entry of entries) {
      if (entry.isDir) continue;
      const path = prefix + entry.name;
      const unsafe = unsafeName(entry.name);
      if (unsafe) {
        walk.problems.push(problem('PATH_TRAVERSAL', { file, entry: path, why: unsafe }));
        continue;
      }
      if (entry.isLink) {
        walk.problems.push(problem('LINK_ENTRY', { file, entry: path }));
        continue;
      }
      const wanted = LOG_EXTENSIONS.includes(extension(entry.name))
        ? logs
        : ARCHIVE_EXTENSIONS.includes(extension(entry.name))
          ? archives
          : null;
      if (!wanted) continue;
      if (entry.encrypted) refuse(problem('ENCRYPTED', { file, entry: path }));
      if (entry.size > limits.maxFileBytes) refuse(problem('ENTRY_TOO_LARGE', { file, entry: path, limitBytes: limits.maxFileBytes }));
      if (entry.packedSize && entry.size / entry.packedSize > limits.maxCompressionRatio)
        refuse(problem('ZIP_BOMB', { file, entry: path }));
      declared += entry.size;
      wanted.push({ path, entry });
    }
    // Solid 7z and rar do not tell sizes per entry: the archive as a whole is held to the ratio.
    if (local.size > 0 && declared / local.size > limits.maxCompressionRatio)
      refuse(problem('ZIP_BOMB', { file, entry: prefix ? prefix.slice(0, -1) : null }));
    walk.bytes += declared;
    if (walk.bytes > limits.maxTotalBytes) refuse(problem('UNPACKED_TOO_LARGE', { file, limitBytes: limits.maxTotalBytes }));

    const files: LogFileInput[] = logs.map(({ path, entry }) => ({ path, open: () => this.entryBytes(bytes, format, entry, path, file) }));
    for (const { path, entry } of archives) {
      const inner: ArchiveBytes = { kind: 'entry', name: entry.name, open: () => this.entryBytes(bytes, format, entry, path, file) };
      files.push(...(await this.walk(inner, entry.name, `${path}/`, depth + 1, walk)));
    }
    return files;
  }

  /** One entry's bytes, no more than its archive declared (and so within every limit). */
  private async *entryBytes(
    bytes: ArchiveBytes,
    format: ArchiveFormat,
    entry: ArchiveEntry,
    path: string,
    file: string,
  ): AsyncGenerator<Buffer> {
    const local = await localFile(bytes);
    try {
      let size = 0;
      try {
        for await (const chunk of format.open(local.path, entry)) {
          size += chunk.length;
          if (size > entry.size) throw new ProblemError(problem('ENTRY_SIZE_MISMATCH', { file, entry: path }));
          yield chunk;
        }
      } catch (err) {
        throw new ProblemError(archiveProblem(err, file, format.label));
      }
      if (size !== entry.size) throw new ProblemError(problem('ENTRY_TRUNCATED', { file, entry: path }));
    } finally {
      await local.release();
    }
  }

  /** Told by the first bytes, not the name: customers rename archives. */
  private async formatOf(path: string, bytes: ArchiveBytes): Promise<ArchiveFormat> {
    if (bytes.kind === 'volumes') return sevenZipFormat('volumes', null, this.tools);
    const head = Buffer.alloc(264);
    const handle = await fs.promises.open(path, 'r');
    try {
      await handle.read(head, 0, head.length, 0);
    } finally {
      await handle.close();
    }
    if (head.subarray(0, 4).equals(Buffer.from('PK\x03\x04', 'latin1')) || head.subarray(0, 4).equals(Buffer.from('PK\x05\x06', 'latin1')))
      return zipFormat;
    if (head.subarray(0, 6).equals(Buffer.from([0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c]))) return sevenZipFormat('7z', '7z', this.tools);
    if (head.subarray(0, 4).toString('latin1') === 'MSCF') return sevenZipFormat('cab', 'Cab', this.tools);
    if (head.subarray(0, 6).toString('latin1') === 'Rar!\x1a\x07') return bsdtarFormat(this.tools);
    if (head[0] === 0x1f && head[1] === 0x8b) return sevenZipFormat('gz', 'gzip', this.tools);
    if (head.subarray(257, 262).toString('latin1') === 'ustar') return sevenZipFormat('tar', 'tar', this.tools);
    throw new UnknownFormat();
  }

  private looseLog(source: Source): LogFileInput {
    const { bytes } = source;
    const range = bytes.kind === 'range' ? { start: bytes.start, end: bytes.start + bytes.length - 1 } : {};
    return {
      path: source.name,
      async *open() {
        // An empty range would read the whole file: a zero-length log yields nothing.
        if (source.size === 0) return;
        for await (const chunk of fs.createReadStream(bytes.path, range)) yield chunk as Buffer;
      },
    };
  }
}

/** Not an archive format casebot knows, told by its first bytes. */
class UnknownFormat extends Error {}

/** Whatever stopped an archive from being read, as the attachment's problem; a tool's words go to `detail`. */
function archiveProblem(err: unknown, file: string, format: string): Problem {
  if (err instanceof ProblemError) return err.problem;
  if (err instanceof ArchiveRefused) {
    if (err.fault === 'ENCRYPTED') return problem('ENCRYPTED', { file, entry: null }, err.detail);
    if (err.fault === 'ARCHIVE_TRUNCATED') return problem('ARCHIVE_TRUNCATED', { file }, err.detail);
    return problem('ARCHIVE_CORRUPT', { file, format }, err.detail);
  }
  if (err instanceof ToolMissing) return problem('TOOL_MISSING', { file, format, tool: err.tool });
  if (err instanceof UnknownFormat) return problem('UNKNOWN_FORMAT', { file });
  return problem('ARCHIVE_CORRUPT', { file, format }, (err as Error).message);
}

function identity(source: Source): Pick<BundleContents, 'name' | 'sha256' | 'size'> {
  return { name: source.name, sha256: source.sha256, size: source.size };
}

function isTnefAttachment(filename: string, contentType: string): boolean {
  return TNEF_TYPES.includes(contentType.toLowerCase()) || filename.toLowerCase() === 'winmail.dat';
}

function isLogLike(name: string): boolean {
  const ext = extension(name);
  return LOG_EXTENSIONS.includes(ext) || ARCHIVE_EXTENSIONS.includes(ext) || splitName(name) !== null;
}

function extension(name: string): string {
  const m = /\.[A-Za-z0-9]+$/.exec(name);
  return m ? m[0].toLowerCase() : '';
}
