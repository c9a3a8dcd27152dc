// Where an archive's bytes are, and a real file for them when a tool needs one. Attachments
// already are files and are used in place; the parts of a split archive, an attachment inside
// winmail.dat and an archive inside an archive are laid out in a private folder (0700) only for
// as long as one listing or one read needs them, and removed right after.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';

export type ArchiveBytes =
  /** A whole file: a mail attachment as the mail adapter stored it. */
  | { kind: 'file'; path: string }
  /**
   * The parts of a split archive, in order, each with the name the tool must see to find the
   * next part (`logs.7z.001`, `logs.z01` … `logs.zip`); `open` is the part the tool opens.
   */
  | { kind: 'volumes'; parts: { path: string; name: string }[]; open: string }
  /** A byte range of a file: an attachment inside winmail.dat. */
  | { kind: 'range'; path: string; start: number; length: number; name: string }
  /** An entry of another archive, unpacked again on each use. */
  | { kind: 'entry'; name: string; open: () => AsyncIterable<Buffer> };

export interface LocalFile {
  path: string;
  /** Bytes of the archive, all volumes together: what compression ratios are taken against. */
  size: number;
  release(): Promise<void>;
}

/** A file holding the archive (or its first volume); release() removes what was made for it. */
export async function localFile(bytes: ArchiveBytes): Promise<LocalFile> {
  if (bytes.kind === 'file') return { path: bytes.path, size: (await fs.promises.stat(bytes.path)).size, release: async () => {} };
  const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'casebot-archive-'));
  const release = () => fs.promises.rm(dir, { recursive: true, force: true });
  try {
    await fs.promises.chmod(dir, 0o700);
    switch (bytes.kind) {
      case 'volumes':
        // Links, not copies: the tool reads the attachments where they are.
        let size = 0;
        for (const part of bytes.parts) {
          await fs.promises.symlink(part.path, path.join(dir, part.name));
          size += (await fs.promises.stat(part.path)).size;
        }
        return { path: path.join(dir, bytes.open), size, release };
      case 'range': {
        const target = path.join(dir, safeName(bytes.name));
        const source = fs.createReadStream(bytes.path, { start: bytes.start, end: bytes.start + bytes.length - 1 });
        await pipeline(source, fs.createWriteStream(target, { mode: 0o600 }));
        return { path: target, size: bytes.length, release };
      }
      case 'entry': {
        const target = path.join(dir, safeName(bytes.name));
        await pipeline(Readable.from(bytes.open()), fs.createWriteStream(target, { mode: 0o600 }));
        return { path: target, size: (await fs.promises.stat(target)).size, release };
      }
    }
  } catch (err) {
    await release();
    throw err;
  }
}

/** The customer's name is kept only for its extension: the folder is ours. */
function safeName(name: string): string {
  const ext = /\.[A-Za-z0-9]{1,8}$/.exec(name);
  return `archive${ext ? ext[0].toLowerCase() : ''}`;
}
