// One casebot per store. The lock is SQLite's own: an exclusive transaction held open on a small
// database beside the store. The OS drops it with the process however that ends (SIGKILL
// included), so a crash never leaves it held, and no stale pid is ever taken for a live holder.
// The holder's pid is written beside it only to name it in the refusal.

import fs from 'node:fs';
import Database from 'better-sqlite3';

export class StoreLock {
  private constructor(private readonly db: Database.Database) {}

  /** Claims the store, or throws naming the casebot that holds it. */
  static claim(storePath: string): StoreLock {
    const db = new Database(`${storePath}.lock`, { timeout: 0 });
    try {
      db.exec('BEGIN EXCLUSIVE');
    } catch (err) {
      db.close();
      if ((err as { code?: string }).code !== 'SQLITE_BUSY') throw err;
      throw new Error(`another casebot (pid ${holderPid(storePath)}) is running on ${storePath}`);
    }
    fs.writeFileSync(pidFile(storePath), `${process.pid}\n`);
    return new StoreLock(db);
  }

  release(): void {
    this.db.close();
  }
}

const pidFile = (storePath: string) => `${storePath}.pid`;

/** Written just after the lock is taken: for that instant it may be missing or name the last holder. */
function holderPid(storePath: string): string {
  try {
    return fs.readFileSync(pidFile(storePath), 'utf8').trim() || '?';
  } catch {
    return '?';
  }
}
