// Scratch on the local disk: mkdtemp folders with mode 0700 under the system temp folder.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Scratch } from '../../ports/scratch';

export class TempScratch implements Scratch {
  constructor(private readonly root: string = os.tmpdir()) {}

  folder(): string {
    const dir = fs.mkdtempSync(path.join(this.root, 'casebot-download-'));
    fs.chmodSync(dir, 0o700);
    return dir;
  }

  remove(folder: string): void {
    fs.rmSync(folder, { recursive: true, force: true });
  }
}
