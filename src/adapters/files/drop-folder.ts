// UploadDrop on a local folder the team syncs the portal's uploads into. A file or a folder
// whose name holds the case id or the customer's upload account is theirs (names are matched
// without regard to case). Links are never followed: a synced folder is not trusted to stay
// inside itself.

import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { MailAttachment } from '../../core/types';
import type { UploadDrop } from '../../ports/upload-drop';

/** A customer uploads one bundle, maybe a few parts: more than this is the wrong folder. */
const MAX_FILES = 20;

export class DropFolder implements UploadDrop {
  constructor(private readonly root: string) {}

  async find(keys: string[]): Promise<MailAttachment[]> {
    const wanted = keys.map((k) => k.trim().toLowerCase()).filter((k) => k.length >= 3);
    if (wanted.length === 0 || !fs.existsSync(this.root)) return [];
    const files: { file: string; mtime: number }[] = [];
    for (const entry of fs.readdirSync(this.root, { withFileTypes: true })) {
      if (!wanted.some((k) => entry.name.toLowerCase().includes(k))) continue;
      const full = path.join(this.root, entry.name);
      if (entry.isFile()) files.push({ file: full, mtime: fs.lstatSync(full).mtimeMs });
      else if (entry.isDirectory()) {
        for (const inner of fs.readdirSync(full, { withFileTypes: true })) {
          const file = path.join(full, inner.name);
          if (inner.isFile()) files.push({ file, mtime: fs.lstatSync(file).mtimeMs });
        }
      }
    }
    files.sort((a, b) => b.mtime - a.mtime);
    return Promise.all(files.slice(0, MAX_FILES).map(({ file }) => describe(file)));
  }
}

async function describe(file: string): Promise<MailAttachment> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of fs.createReadStream(file)) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { filename: path.basename(file), contentType: 'application/octet-stream', size, sha256: hash.digest('hex'), file };
}
