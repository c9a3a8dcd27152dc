// Log files on disk as analyzer input: streamed in chunks, reopened when the analyzer asks.

import fs from 'node:fs';
import path from 'node:path';
import type { LogFileInput } from '../core/types';

/** Big enough to amortise the regex start-up, small enough to keep memory flat. */
const CHUNK_BYTES = 1024 * 1024;

export function logFromFile(name: string, file: string): LogFileInput {
  return {
    path: name,
    async *open() {
      for await (const chunk of fs.createReadStream(file, { highWaterMark: CHUNK_BYTES })) yield chunk as Buffer;
    },
  };
}

/** Every file under a folder (recursively), named by its `/`-separated path inside it. */
export function readFolder(dir: string, skip: string[] = [], base = dir): LogFileInput[] {
  const files: LogFileInput[] = [];
  for (const name of fs.readdirSync(dir).sort()) {
    const full = path.join(dir, name);
    if (fs.statSync(full).isDirectory()) files.push(...readFolder(full, skip, base));
    else if (!skip.includes(name)) files.push(logFromFile(path.relative(base, full).split(path.sep).join('/'), full));
  }
  return files;
}
