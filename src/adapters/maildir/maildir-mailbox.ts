// Mailbox over a local Maildir++ folder (the embedded default, `mailbox-fixtures/demo`):
// INBOX is the root, other folders are `.Name`. Mail is never moved or renamed, so the
// mailbox stays as the team left it; drafts are written as real RFC 822 files, flagged D.
//
// What is new is decided by when a file arrived in this folder (its ctime: delivery renames it
// into new/), and by which files were taken, never by comparing names: names from other hosts,
// processes or clocks need not sort in delivery order (`…M999…` sorts after `…M1000…`).

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FolderRole, Mailbox, MailRef, RefusedDraft } from '../../ports/mailbox';

const FOLDER_DIRS: Record<FolderRole | 'drafts', string> = { inbox: '', sent: '.Sent', drafts: '.Drafts' };

export class MaildirMailbox implements Mailbox {
  private sequence = 0;

  constructor(
    private readonly root: string,
    private readonly pollMs = 5000,
  ) {}

  get description(): string {
    return `maildir ${this.root}`;
  }

  async open(): Promise<void> {
    if (!fs.existsSync(path.join(this.root, 'cur'))) throw new Error(`${this.root} is not a Maildir (no cur/ folder)`);
    for (const dir of Object.values(FOLDER_DIRS)) {
      for (const sub of ['cur', 'new', 'tmp']) fs.mkdirSync(path.join(this.root, dir, sub), { recursive: true });
    }
  }

  async close(): Promise<void> {}

  async listNew(folder: FolderRole, cursor: string | null): Promise<MailRef[]> {
    const entries = this.entries(folder);
    const taken = readCursor(cursor, entries);
    const fresh = entries
      .filter((e) => e.arrived >= taken.since && !taken.keys.has(e.key))
      .sort((a, b) => a.arrived - b.arrived || (a.key < b.key ? -1 : 1));
    // Each mail's cursor says what is taken once it is handled: everything that arrived before it,
    // and by name the few that arrived at the same instant.
    let since = taken.since;
    let keys = new Map([...taken.keys].filter(([, at]) => at >= since));
    return fresh.map((e) => {
      if (e.arrived > since) {
        since = e.arrived;
        keys = new Map([...keys].filter(([, at]) => at >= since));
      }
      keys.set(e.key, e.arrived);
      return {
        folder,
        id: e.file,
        size: e.size,
        cursor: JSON.stringify({ since, taken: Object.fromEntries(keys) }),
        arrivedAt: deliveredAt(e.key, e.mtime).toISOString(),
      };
    });
  }

  async fetchRaw(ref: MailRef): Promise<Buffer> {
    return fs.readFileSync(this.fileOf(ref));
  }

  async fetchToFile(ref: MailRef, file: string): Promise<void> {
    fs.copyFileSync(this.fileOf(ref), file);
  }

  async fetchHeader(ref: MailRef): Promise<Buffer> {
    const fd = fs.openSync(this.fileOf(ref), 'r');
    try {
      const head = Buffer.alloc(HEADER_BYTES);
      const n = fs.readSync(fd, head, 0, HEADER_BYTES, 0);
      return headerOf(head.subarray(0, n));
    } finally {
      fs.closeSync(fd);
    }
  }

  private fileOf(ref: MailRef): string {
    if (fs.existsSync(ref.id)) return ref.id;
    // A mail client may have moved it from new/ to cur/ (and changed its flags) since listing.
    const key = path.basename(ref.id).split(':')[0];
    const found = this.entries(ref.folder).find((e) => e.key === key);
    if (!found) throw new Error(`mail ${ref.cursor} disappeared from ${ref.folder}`);
    return found.file;
  }

  /** A folder refuses nothing: a failed write is a fault of the file system, and throws. */
  async appendDrafts(raws: Buffer[]): Promise<RefusedDraft[]> {
    for (const raw of raws) this.deliver(FOLDER_DIRS.drafts, raw, 'DS');
    return [];
  }

  async appendSent(raw: Buffer): Promise<void> {
    this.deliver(FOLDER_DIRS.sent, raw, 'S');
  }

  private deliver(folderDir: string, raw: Buffer, flags: string): void {
    // sec.M<µs, six digits>P<pid>Q<count>.host: unique, and in delivery order even as strings.
    const micros = BigInt(Date.now()) * 1000n + ((process.hrtime.bigint() / 1000n) % 1000n);
    const name = `${micros / 1000000n}.M${String(micros % 1000000n).padStart(6, '0')}P${process.pid}Q${++this.sequence}.${os.hostname().replace(/[/:]/g, '_')}`;
    const dir = path.join(this.root, folderDir);
    const tmp = path.join(dir, 'tmp', name);
    // Maildir delivery: write to tmp/, fsync, then rename into cur/ so no reader sees half a file.
    const fd = fs.openSync(tmp, 'w');
    try {
      fs.writeSync(fd, raw);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, path.join(dir, 'cur', `${name}:2,${flags}`));
  }

  /** Reads only the header block of each file in .Drafts. */
  async draftMessageIds(): Promise<Set<string>> {
    return new Set(this.entries('drafts').flatMap((e) => headerMessageId(e.file) ?? []));
  }

  async removeDraft(messageId: string): Promise<boolean> {
    const file = this.findDraft(messageId);
    if (!file) return false;
    fs.unlinkSync(file);
    return true;
  }

  watch(onChange: () => void): () => Promise<void> {
    const watchers = (['inbox', 'sent'] as const).flatMap((folder) =>
      ['new', 'cur'].map((sub) => fs.watch(path.join(this.root, FOLDER_DIRS[folder], sub), () => onChange())),
    );
    // fs.watch can miss events (network file systems, editors that rename): poll as well.
    const timer = setInterval(onChange, this.pollMs);
    return async () => {
      clearInterval(timer);
      for (const w of watchers) w.close();
    };
  }

  private findDraft(messageId: string): string | null {
    for (const e of this.entries('drafts')) {
      if (headerMessageId(e.file) === messageId) return e.file;
    }
    return null;
  }

  /** Mail files of a folder: the unique part of the name, the file, when it arrived here (ctime, ms). */
  private entries(folder: FolderRole | 'drafts'): MaildirEntry[] {
    const out: MaildirEntry[] = [];
    for (const sub of ['new', 'cur']) {
      const dir = path.join(this.root, FOLDER_DIRS[folder], sub);
      if (!fs.existsSync(dir)) continue;
      for (const name of fs.readdirSync(dir)) {
        if (name.startsWith('.')) continue;
        const file = path.join(dir, name);
        const stat = fs.statSync(file, { throwIfNoEntry: false });
        // Gone between listing and stat: a client moved it; the next listing finds it.
        if (stat) out.push({ key: name.split(':')[0]!, file, arrived: stat.ctimeMs, mtime: stat.mtime, size: stat.size });
      }
    }
    return out;
  }
}

interface MaildirEntry {
  key: string;
  file: string;
  /** When it arrived in this folder: the ctime delivery (or a client's move) set, in ms. */
  arrived: number;
  mtime: Date;
  size: number;
}

/**
 * What a cursor says is taken: everything that arrived before `since`, and by name what arrived
 * at `since` or after. A cursor of an older casebot (the last name taken) is read as before:
 * names up to it are taken.
 */
function readCursor(cursor: string | null, entries: MaildirEntry[]): { since: number; keys: Map<string, number> } {
  if (cursor === null) return { since: -Infinity, keys: new Map() };
  if (cursor.startsWith('{')) {
    const parsed = JSON.parse(cursor) as { since: number; taken: Record<string, number> };
    return { since: parsed.since, keys: new Map(Object.entries(parsed.taken)) };
  }
  return { since: -Infinity, keys: new Map(entries.filter((e) => e.key <= cursor).map((e) => [e.key, e.arrived])) };
}

/** The Message-ID of a mail file, read from its header block only. */
function headerMessageId(file: string): string | null {
  const fd = fs.openSync(file, 'r');
  try {
    const head = Buffer.alloc(16 * 1024);
    const n = fs.readSync(fd, head, 0, head.length, 0);
    const text = head.subarray(0, n).toString('latin1');
    const end = text.search(/\r?\n\r?\n/);
    const m = /(?:^|\n)message-id:\s*<([^>]+)>/i.exec(end >= 0 ? text.slice(0, end) : text);
    return m ? m[1]!.trim() : null;
  } finally {
    fs.closeSync(fd);
  }
}

/** Maildir names start with the delivery time in seconds; fall back to the file's mtime. */
function deliveredAt(key: string, mtime: Date): Date {
  const seconds = /^(\d{9,11})\./.exec(key);
  return seconds ? new Date(Number(seconds[1]) * 1000) : mtime;
}

/** More header than this is not a real mail's. */
const HEADER_BYTES = 256 * 1024;

/** The header block with its blank line, or all of `head` when the blank line is not in it. */
function headerOf(head: Buffer): Buffer {
  const crlf = head.indexOf('\r\n\r\n');
  const lf = head.indexOf('\n\n');
  const end = crlf >= 0 && (lf < 0 || crlf < lf) ? crlf + 4 : lf >= 0 ? lf + 2 : head.length;
  return head.subarray(0, end);
}
