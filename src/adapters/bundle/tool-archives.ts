// 7z, cab, tar/gz and split archives through Debian's 7-Zip (`7zz`, package 7zip), and rar
// through libarchive's `bsdtar` (package libarchive-tools): Debian's 7-Zip is built without the
// non-free RAR codec, and bsdtar reads rar4 and rar5. Each archive is listed first; each entry
// is then unpacked to stdout (`7zz x -so`, `bsdtar -xO`) straight into the analyzer, so nothing
// is written to disk.

import { ArchiveRefused, type ArchiveEntry, type ArchiveFormat } from './archive-entry';
import { isEncryptedRar } from './rar-encryption';
import { findTool, runForBytes, runForText, ToolFailed } from './run-tool';

/** Listing text per entry is well under this; a longer listing is cut and refused by count. */
const LISTING_BYTES_PER_ENTRY = 2048;

export interface ToolSettings {
  /** Where to look for the tools (PATH of this process by default). */
  searchPath: string;
  idleMs: number;
}

const SEVEN_ZIP = ['7zz', '7z'];
const BSDTAR = ['bsdtar'];

// `-p` with no password: an encrypted archive fails at once instead of prompting (stdin is closed).
const NO_PASSWORD = '-p';

/**
 * `type` is 7-Zip's name of the format the bytes were sniffed as (`-t7z`): the file has no
 * extension to go by, and 7-Zip must not open it as anything else. Split archives go without
 * one: 7-Zip finds the parts and the format inside by the parts' names.
 */
export function sevenZipFormat(label: string, type: string | null, settings: ToolSettings): ArchiveFormat {
  const switches = ['-sccUTF-8', NO_PASSWORD, ...(type ? [`-t${type}`] : [])];
  return {
    label,
    async list(file, maxEntries) {
      const tool = findTool(SEVEN_ZIP, settings.searchPath);
      const text = await runForText(
        tool,
        ['l', '-slt', ...switches, '--', file],
        settings.idleMs,
        (maxEntries + 1) * LISTING_BYTES_PER_ENTRY,
      ).catch(explainSevenZip);
      return parseSevenZipListing(text).slice(0, maxEntries + 1);
    },
    async *open(file, entry) {
      const tool = findTool(SEVEN_ZIP, settings.searchPath);
      // -spd: the entry's name is a name, not a wildcard pattern.
      try {
        yield* runForBytes(tool, ['x', '-so', '-spd', ...switches, '--', file, entry.ref], settings.idleMs);
      } catch (err) {
        explainSevenZip(err);
      }
    },
  };
}

function explainSevenZip(err: unknown): never {
  if (err instanceof ToolFailed) {
    if (/Wrong password|encrypted/i.test(err.stderr)) throw new ArchiveRefused('ENCRYPTED');
    if (/Missing volume|Unexpected end|unavailable|truncated/i.test(err.stderr))
      throw new ArchiveRefused('ARCHIVE_TRUNCATED', lastLine(err.stderr));
    throw new ArchiveRefused('ARCHIVE_CORRUPT', `7-Zip: ${lastLine(err.stderr)}`);
  }
  throw err;
}

/** `7zz l -slt`: a block of `Key = Value` lines per entry after the `----------` line. */
function parseSevenZipListing(text: string): ArchiveEntry[] {
  const body = text.slice(text.lastIndexOf('\n----------\n') + 1);
  const entries: ArchiveEntry[] = [];
  for (const block of body.split(/\n\s*\n/)) {
    const fields = new Map<string, string>();
    for (const line of block.split('\n')) {
      const at = line.indexOf(' = ');
      if (at > 0) fields.set(line.slice(0, at), line.slice(at + 3));
    }
    const ref = fields.get('Path');
    if (ref === undefined || !fields.has('Size')) continue;
    const attributes = fields.get('Attributes') ?? '';
    const [winAttributes = '', unixMode = ''] = attributes.split(' ');
    const packed = Number.parseInt(fields.get('Packed Size') ?? '', 10);
    entries.push({
      name: ref.replace(/\\/g, '/'),
      ref,
      size: Number.parseInt(fields.get('Size') || '0', 10),
      packedSize: Number.isFinite(packed) && packed > 0 ? packed : null,
      isDir: fields.get('Folder') === '+' || winAttributes.includes('D'),
      // 'L' is the Windows reparse-point attribute; the unix mode and the link fields tell the rest.
      isLink: winAttributes.includes('L') || unixMode.startsWith('l') || !!fields.get('Symbolic Link') || !!fields.get('Hard Link'),
      encrypted: fields.get('Encrypted') === '+',
    });
  }
  return entries;
}

export function bsdtarFormat(settings: ToolSettings): ArchiveFormat {
  return {
    label: 'rar',
    async list(file, maxEntries) {
      const tool = findTool(BSDTAR, settings.searchPath);
      if (await isEncryptedRar(file, maxEntries + 2)) throw new ArchiveRefused('ENCRYPTED');
      const text = await runForText(tool, ['-tvf', file], settings.idleMs, (maxEntries + 1) * LISTING_BYTES_PER_ENTRY).catch(explainBsdtar);
      return parseBsdtarListing(text).slice(0, maxEntries + 1);
    },
    async *open(file, entry) {
      const tool = findTool(BSDTAR, settings.searchPath);
      try {
        // -q: stop at the first match; the name is escaped so that it is not a pattern.
        yield* runForBytes(tool, ['-xOqf', file, '--', escapePattern(entry.ref)], settings.idleMs);
      } catch (err) {
        explainBsdtar(err);
      }
    },
  };
}

function explainBsdtar(err: unknown): never {
  if (err instanceof ToolFailed) {
    if (/encrypt|password/i.test(err.stderr)) throw new ArchiveRefused('ENCRYPTED');
    if (/truncated|premature|unexpected end/i.test(err.stderr)) throw new ArchiveRefused('ARCHIVE_TRUNCATED', lastLine(err.stderr));
    throw new ArchiveRefused('ARCHIVE_CORRUPT', `bsdtar: ${lastLine(err.stderr)}`);
  }
  throw err;
}

/**
 * `bsdtar -tv`: ls-style lines, `mode links owner group size month day year|time name`, a
 * symlink's name followed by ` -> target`, a hardlink's by ` link to target`.
 */
function parseBsdtarListing(text: string): ArchiveEntry[] {
  const entries: ArchiveEntry[] = [];
  for (const line of text.split('\n')) {
    const m = /^(\S{10})\s+\d+\s+\S+\s+\S+\s+(\d+)\s+\S+\s+\d+\s+\S+\s(.*)$/.exec(line);
    if (!m) continue;
    const [, mode = '', size = '0', rest = ''] = m;
    const hardlink = / link to /.exec(rest);
    const isLink = mode.startsWith('l') || hardlink !== null;
    const ref = mode.startsWith('l') ? rest.split(' -> ')[0]! : hardlink ? rest.slice(0, hardlink.index) : rest;
    entries.push({
      name: ref,
      ref,
      size: Number.parseInt(size, 10),
      packedSize: null,
      isDir: mode.startsWith('d') || ref.endsWith('/'),
      isLink,
      encrypted: false,
    });
  }
  return entries;
}

function escapePattern(name: string): string {
  return name.replace(/[\\*?[\]]/g, '\\$&');
}

function lastLine(stderr: string): string {
  return stderr.trim().split('\n').filter(Boolean).slice(-1)[0] ?? '';
}
