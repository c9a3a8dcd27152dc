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

/** The whole archive is refused; `reason` is Chinese and goes into the draft. */
export class ArchiveRefused extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

export const ENCRYPTED = '压缩包已加密，请不要设置密码，重新压缩后发送';
export const INCOMPLETE = '压缩包不完整（文件被截断或缺少分卷），请重新压缩后完整发送';

/** Why an entry name is unsafe to take, in Chinese, or null when it is a plain relative path. */
export function unsafeNameReason(name: string): string | null {
  if (/^[A-Za-z]:/.test(name)) return '路径带有盘符';
  if (name.startsWith('/')) return '路径是绝对路径';
  if (name.split('/').includes('..')) return '路径含有 ..（指向压缩包之外）';
  if (/[\u0000-\u001f]/.test(name)) return '路径含有控制字符';
  return null;
}
