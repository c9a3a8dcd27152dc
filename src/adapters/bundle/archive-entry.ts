// What every archive format reader gives the bundle reader: a listing of entries as the
// archive declares them, and the bytes of one entry on demand. The bundle reader decides what
// to read; the formats only report what the archive says.

export interface ArchiveEntry {
  /** `/`-separated, as stored (`\` read as a separator); not yet judged safe. */
  name: string;
  /** How the format finds this entry again (a zip offset, the tool's own path). */
  ref: string;
  /** Uncompressed size as declared: a hostile archive lies, so reads are held to it. */
  size: number;
  /** Compressed size when the format tells it per entry (solid 7z blocks do not). */
  packedSize: number | null;
  isDir: boolean;
  /** A symlink, hardlink, junction or reparse point: never followed, never read. */
  isLink: boolean;
  encrypted: boolean;
}

export interface ArchiveFormat {
  /** The format's name as a customer knows it (zip, 7z, rar, cab). */
  readonly label: string;
  /** At most `maxEntries + 1` entries: more is already a refusal. */
  list(file: string, maxEntries: number): Promise<ArchiveEntry[]>;
  open(file: string, entry: ArchiveEntry): AsyncIterable<Buffer>;
}

/** What a format reader can say about an archive it cannot read; the bundle reader names the attachment. */
export type ArchiveFault = 'ENCRYPTED' | 'ARCHIVE_TRUNCATED' | 'ARCHIVE_CORRUPT';

/** The whole archive is refused; `detail` (a tool's own words) is for the engineer's log. */
export class ArchiveRefused extends Error {
  constructor(
    readonly fault: ArchiveFault,
    readonly detail = '',
  ) {
    super(detail ? `${fault}: ${detail}` : fault);
  }
}

/** Why an entry name is unsafe to take, or null when it is a plain relative path. */
export function unsafeName(name: string): 'drive' | 'absolute' | 'parent' | 'control' | null {
  if (/^[A-Za-z]:/.test(name)) return 'drive';
  if (name.startsWith('/')) return 'absolute';
  if (name.split('/').includes('..')) return 'parent';
  if (/[\u0000-\u001f]/.test(name)) return 'control';
  return null;
}
