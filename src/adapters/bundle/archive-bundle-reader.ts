// BundleReader for everything customers send logs in: loose logs, zip (in-process, yauzl), 7z,
// cab, tar/gz (7-Zip), rar (bsdtar), split archives mailed in parts, and Outlook's winmail.dat.
// Attachments are files on disk and are read in place. Every archive is listed first and the
// listing is held to the limits (entry count, sizes, compression ratio, nesting, encryption,
// unsafe names, links); each log is then streamed to the analyzer when it is opened, held to
// the size its archive declared. Nothing a customer sent is ever written out under its own name.

import { createHash } from 'node:crypto';
import fs from 'node:fs';
import type { BundleLimits } from '../../core/limits';
import type { LogFileInput } from '../../core/types';
import type { BundleContents, BundleReader, BundleSource } from '../../ports/bundle-reader';
import { localFile, type ArchiveBytes } from './archive-bytes';
import { ArchiveRefused, unsafeNameReason, type ArchiveEntry, type ArchiveFormat } from './archive-entry';
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
  entries: number;
  bytes: number;
  archives: number;
  problems: string[];
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
    const failed = (reason: string): BundleContents => ({
      ...identity(source),
      files: [],
      problems: [`附件 ${source.name} 无法读取：${reason}。`],
    });
    if (source.size > this.limits.maxFileBytes) return failed(`文件超过 ${mb(this.limits.maxFileBytes)}`);
    const bytes = await fs.promises.readFile(source.bytes.path);
    if (!isTnef(bytes)) return failed('不是有效的 Outlook winmail.dat 文件');
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
      return failed(`Outlook winmail.dat 文件已损坏（${(err as Error).message}）`);
    }
  }

  private async readGroup(group: Grouped<Source>): Promise<BundleContents> {
    if (group.kind === 'single') {
      const source = group.item;
      if (LOG_EXTENSIONS.includes(extension(source.name))) {
        if (source.size > this.limits.maxFileBytes)
          return { ...identity(source), files: [], problems: [`附件 ${source.name} 无法读取：文件超过 ${mb(this.limits.maxFileBytes)}。`] };
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
        problems: [`分卷压缩包 ${group.base} 不完整，缺少：${group.missing.join('、')}，请把所有分卷一起发送。`],
      };
    }
    if (group.style === 'rar-parts') {
      return {
        ...joined,
        files: [],
        problems: [`分卷压缩包 ${group.base} 是分卷 RAR 格式，目前无法读取，请用 zip 或 7z 格式重新压缩后发送。`],
      };
    }
    if (group.parts.some((p) => p.bytes.kind !== 'file')) {
      return { ...joined, files: [], problems: [`分卷压缩包 ${group.base} 放在 winmail.dat 中无法读取，请直接作为附件发送。`] };
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
    const walk: Walk = { entries: 0, bytes: 0, archives: 0, problems: [] };
    try {
      const files = await this.walk(bytes, name, '', 0, walk);
      const problems = [...walk.problems.map((p) => `附件 ${name} 中的 ${p}。`)];
      if (files.length === 0) problems.push(`附件 ${name} 中没有日志文件（.log/.txt/.xml/.json）。`);
      return { ...id, files, problems };
    } catch (err) {
      const reason = err instanceof ArchiveRefused ? err.reason : `压缩包已损坏或不是有效的压缩包（${(err as Error).message}）`;
      return { ...id, files: [], problems: [`附件 ${name} 无法读取：${reason}。`] };
    }
  }

  /** The logs in an archive (and in the archives inside it), its listing held to the limits. */
  private async walk(bytes: ArchiveBytes, name: string, prefix: string, depth: number, walk: Walk): Promise<LogFileInput[]> {
    const limits = this.limits;
    if (depth > limits.maxNestingDepth) throw new ArchiveRefused(`压缩包嵌套超过 ${limits.maxNestingDepth} 层（${prefix.slice(0, -1)}）`);
    if (depth > 0 && ++walk.archives > limits.maxNestedArchives)
      throw new ArchiveRefused(`内含的压缩包超过 ${limits.maxNestedArchives} 个（疑似压缩炸弹）`);
    const local = await localFile(bytes);
    let format: ArchiveFormat;
    let entries: ArchiveEntry[];
    try {
      format = await this.formatOf(local.path, bytes);
      entries = await format.list(local.path, limits.maxEntries - walk.entries).catch(explainToolMissing(format));
    } finally {
      await local.release();
    }
    // A gzip stream holds one file, which 7-Zip names after the file it read (ours, not the customer's).
    if (format.label === 'gz') entries = entries.map((e) => ({ ...e, name: name.replace(/\.tgz$/i, '.tar').replace(/\.gz$/i, '') }));
    walk.entries += entries.length;
    if (walk.entries > limits.maxEntries) throw new ArchiveRefused(`文件数超过 ${limits.maxEntries} 个`);

    const logs: { path: string; entry: ArchiveEntry }[] = [];
    const archives: { path: string; entry: ArchiveEntry }[] = [];
    let declared = 0;
    for (const entry of entries) {
      if (entry.isDir) continue;
      const path = prefix + entry.name;
      const unsafe = unsafeNameReason(entry.name);
      if (unsafe) {
        walk.problems.push(`${path} 已拒绝：${unsafe}`);
        continue;
      }
      if (entry.isLink) {
        walk.problems.push(`${path} 已拒绝：这是符号链接或硬链接，不会被读取`);
        continue;
      }
      const wanted = LOG_EXTENSIONS.includes(extension(entry.name))
        ? logs
        : ARCHIVE_EXTENSIONS.includes(extension(entry.name))
          ? archives
          : null;
      if (!wanted) continue;
      if (entry.encrypted) throw new ArchiveRefused(`压缩包已加密（${path}），请不要设置密码，重新压缩后发送`);
      if (entry.size > limits.maxFileBytes) throw new ArchiveRefused(`文件 ${path} 超过 ${mb(limits.maxFileBytes)}`);
      if (entry.packedSize && entry.size / entry.packedSize > limits.maxCompressionRatio)
        throw new ArchiveRefused(`文件 ${path} 的压缩比异常（疑似压缩炸弹）`);
      declared += entry.size;
      wanted.push({ path, entry });
    }
    // Solid 7z and rar do not tell sizes per entry: the archive as a whole is held to the ratio.
    if (local.size > 0 && declared / local.size > limits.maxCompressionRatio)
      throw new ArchiveRefused(`${prefix ? `${prefix.slice(0, -1)} ` : ''}解压后与压缩前的大小之比异常（疑似压缩炸弹）`);
    walk.bytes += declared;
    if (walk.bytes > limits.maxTotalBytes) throw new ArchiveRefused(`解压后总大小超过 ${mb(limits.maxTotalBytes)}`);

    const files: LogFileInput[] = logs.map(({ path, entry }) => ({ path, open: () => this.entryBytes(bytes, format, entry, path) }));
    for (const { path, entry } of archives) {
      const inner: ArchiveBytes = { kind: 'entry', name: entry.name, open: () => this.entryBytes(bytes, format, entry, path) };
      files.push(...(await this.walk(inner, entry.name, `${path}/`, depth + 1, walk)));
    }
    return files;
  }

  /** One entry's bytes, no more than its archive declared (and so within every limit). */
  private async *entryBytes(bytes: ArchiveBytes, format: ArchiveFormat, entry: ArchiveEntry, path: string): AsyncGenerator<Buffer> {
    const local = await localFile(bytes);
    try {
      let size = 0;
      try {
        for await (const chunk of format.open(local.path, entry)) {
          size += chunk.length;
          if (size > entry.size) throw new ArchiveRefused(`文件 ${path} 的实际大小超过压缩包目录中声明的大小（压缩包有问题）`);
          yield chunk;
        }
      } catch (err) {
        explainToolMissing(format)(err);
      }
      if (size !== entry.size) throw new ArchiveRefused(`文件 ${path} 未能完整读取（压缩包已损坏）`);
    } finally {
      await local.release();
    }
  }

  /** Told by the first bytes, not the name: customers rename archives. */
  private async formatOf(path: string, bytes: ArchiveBytes): Promise<ArchiveFormat> {
    if (bytes.kind === 'volumes') return sevenZipFormat('分卷', null, this.tools);
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
    throw new ArchiveRefused('不是 zip、7z、rar 或 cab 格式的压缩包，或文件已损坏');
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

/** A missing tool is a problem on the bundle, named for the format it was needed for. */
function explainToolMissing(format: ArchiveFormat): (err: unknown) => never {
  return (err) => {
    if (err instanceof ToolMissing) {
      throw new ArchiveRefused(
        `服务器上缺少读取 ${format.label} 格式所需的解压工具（${err.tool}），暂时无法读取，请改用 zip 格式重新压缩后发送`,
      );
    }
    throw err;
  };
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

function mb(bytes: number): string {
  return `${Math.round(bytes / 1024 / 1024)} MB`;
}
