// Mailbox over IMAP (imapflow). New mail is found by UID against a cursor of
// UIDVALIDITY:lastUid per folder, never by sequence number or \Seen; bodies are fetched with
// BODY.PEEK so nothing is marked read; Drafts and Sent are found by SPECIAL-USE.
// Two connections: one runs commands, one only IDLEs on INBOX, so drafting never breaks IDLE.

import { backoffMs } from '../../core/backoff';
import { imapFolderGone, imapRefusal, imapUnavailable } from '../../core/delivery-failure';
import fs from 'node:fs';
import { pipeline } from 'node:stream/promises';
import iconv from 'iconv-lite';
import { ImapFlow, type ImapFlowOptions } from 'imapflow';
import type { AccessTokens } from '../../ports/access-tokens';
import type { Logger } from '../../ports/logger';
import {
  MailboxMisconfigured,
  MailboxUnavailable,
  type FolderRole,
  type Mailbox,
  type MailRef,
  type RefusedDraft,
} from '../../ports/mailbox';

export interface ImapSettings {
  host: string;
  port: number;
  secure: boolean;
  user: string;
  password: string | null;
  /** XOAUTH2 login with these tokens (asked at every login) instead of the password. */
  tokens: AccessTokens | null;
  folders: { inbox: string; sent?: string | undefined; drafts?: string | undefined };
  pollMs: number;
  idle: boolean;
}

/** Casebot's drafts are marked read so they do not show as new mail. */
const DRAFT_FLAGS = ['\\Draft', '\\Seen'];
/** One MULTIAPPEND command carries at most this much (the server holds it until the command ends). */
const MULTIAPPEND_MAX_BYTES = 8 * 1024 * 1024;

/** imapflow's internal command runner (not in its typings), as its own commands call it; so imapflow is pinned exactly in package.json. */
interface CommandRunner {
  exec(command: string, attributes: unknown[]): Promise<{ next(): void }>;
}

/** The Message-ID header's value without its <>; \s also crosses a folded line. */
const MESSAGE_ID = /^message-id:\s*<([^>]+)>/im;

/** Restart IDLE this often: connections die silently behind NAT and firewalls. */
const MAX_IDLE_MS = 5 * 60 * 1000;
const RECONNECT_BASE_MS = 1000;
const RECONNECT_MAX_MS = 60 * 1000;

/** Sources are fetched ahead in batches (one round trip for many mails), within these bounds. */
const PREFETCH_MAILS = 64;
/** Pieces a big mail is downloaded in. */
const DOWNLOAD_CHUNK = 1024 * 1024;
const PREFETCH_BYTES = 16 * 1024 * 1024;
/** A mail bigger than this is fetched alone. */
const PREFETCH_MAX_MAIL = 2 * 1024 * 1024;

export class ImapMailbox implements Mailbox {
  private client: ImapFlow | null = null;
  private paths: Record<FolderRole | 'drafts', string> | null = null;
  /** The last listing of each folder, in order: what fetchRaw will be asked for next. */
  private listed = new Map<FolderRole, MailRef[]>();
  private prefetched = new Map<string, Buffer>();

  constructor(
    private readonly settings: ImapSettings,
    private readonly log: Logger,
  ) {}

  get description(): string {
    return `imap ${this.settings.user}@${this.settings.host}:${this.settings.port}`;
  }

  async open(): Promise<void> {
    await unavailableOnError(() => this.connection());
  }

  async close(): Promise<void> {
    const client = this.client;
    this.client = null;
    if (client?.usable) await client.logout().catch(() => client.close());
  }

  async listNew(folder: FolderRole, cursor: string | null): Promise<MailRef[]> {
    return unavailableOnError(() => this.listNewNow(folder, cursor));
  }

  private async listNewNow(folder: FolderRole, cursor: string | null): Promise<MailRef[]> {
    const client = await this.connection();
    const path = (await this.folderPaths())[folder];
    const lock = await client.getMailboxLock(path, { readOnly: true });
    try {
      // A folder kept selected learns of new mail only when the server syncs it: NOOP asks it to
      // (Dovecot does not before a FETCH), so mail delivered since the last listing is seen now.
      await client.noop();
      const mailbox = client.mailbox;
      if (!mailbox) throw new Error(`cannot open ${path}`);
      const validity = mailbox.uidValidity.toString();
      const [cursorValidity, cursorUid] = parseCursor(cursor);
      let lastUid = cursorUid;
      if (cursorValidity !== null && cursorValidity !== validity) {
        // The folder was recreated: its UIDs mean nothing now. Rescan; identities dedupe.
        this.log.warn('UIDVALIDITY changed, rescanning folder', { folder: path, was: cursorValidity, now: validity });
        lastUid = 0;
      }
      if (mailbox.exists === 0) return [];
      // `n:*` always returns the last message even when n is past it: filter by UID ourselves.
      const messages = await client.fetchAll(`${lastUid + 1}:*`, { uid: true, size: true, internalDate: true }, { uid: true });
      const refs = messages
        .filter((m) => m.uid > lastUid)
        .sort((a, b) => a.uid - b.uid)
        .map((m) => ({
          folder,
          id: String(m.uid),
          size: m.size ?? 0,
          cursor: `${validity}:${m.uid}`,
          arrivedAt: new Date(m.internalDate ?? Date.now()).toISOString(),
        }));
      this.listed.set(folder, refs);
      this.prefetched.clear();
      return refs;
    } finally {
      lock.release();
    }
  }

  async fetchRaw(ref: MailRef): Promise<Buffer> {
    return unavailableOnError(() => this.fetchRawNow(ref));
  }

  async fetchToFile(ref: MailRef, file: string): Promise<void> {
    return unavailableOnError(async () => {
      const done = await this.inFolderOf(ref, async (client, path) => {
        // BODY.PEEK[]<offset.length> in 1 MB pieces, written as they come, under the folder's lock.
        const { content } = await client.download(ref.id, undefined, { uid: true, chunkSize: DOWNLOAD_CHUNK });
        if (!content) throw new Error(`message UID ${ref.id} is gone from ${path}`);
        await pipeline(content, fs.createWriteStream(file, { mode: 0o600 }));
        return true;
      });
      if (done === null) throw new Error(`UIDVALIDITY of ${ref.folder} changed while reading`);
    });
  }

  /** BODY.PEEK[HEADER]: the body is never sent. */
  async fetchHeader(ref: MailRef): Promise<Buffer> {
    return unavailableOnError(() => this.fetchOneNow(ref, 'headers'));
  }

  private async fetchRawNow(ref: MailRef): Promise<Buffer> {
    const key = `${ref.cursor}@${ref.folder}`;
    const take = () => {
      const raw = this.prefetched.get(key);
      this.prefetched.delete(key);
      return raw;
    };
    let raw = take();
    if (!raw && ref.size <= PREFETCH_MAX_MAIL) {
      await this.prefetch(ref);
      raw = take();
    }
    return raw ?? this.fetchOneNow(ref, 'source');
  }

  /**
   * imapflow keeps only the flags the *selected* mailbox allows (its PERMANENTFLAGS): with INBOX
   * examined read-only that is none. Select the target first, so \\Draft and \\Seen are kept.
   */
  private async appendTo(client: ImapFlow, path: string, raw: Buffer, flags: string[]): Promise<void> {
    const lock = await client.getMailboxLock(path);
    try {
      await client.append(path, raw, flags);
    } finally {
      lock.release();
    }
  }

  /** Fetches this mail and the small ones listed after it in one command (BODY.PEEK, nothing marked). */
  private async prefetch(ref: MailRef): Promise<void> {
    const listing = this.listed.get(ref.folder) ?? [];
    const at = listing.findIndex((r) => r.cursor === ref.cursor);
    if (at < 0) return;
    const batch: MailRef[] = [];
    let bytes = 0;
    for (const r of listing.slice(at)) {
      if (batch.length >= PREFETCH_MAILS || bytes + r.size > PREFETCH_BYTES) break;
      if (r.size > PREFETCH_MAX_MAIL) continue;
      batch.push(r);
      bytes += r.size;
    }
    const [validity] = parseCursor(ref.cursor);
    await this.inFolderOf(ref, async (client) => {
      const messages = await client.fetchAll(batch.map((r) => r.id).join(','), { uid: true, source: true }, { uid: true });
      for (const m of messages) if (m.source) this.prefetched.set(`${validity}:${m.uid}@${ref.folder}`, m.source);
    });
  }

  private async fetchOneNow(ref: MailRef, part: 'source' | 'headers'): Promise<Buffer> {
    const raw = await this.inFolderOf(ref, async (client, path) => {
      const message = await client.fetchOne(ref.id, { [part]: true }, { uid: true });
      const bytes = message ? message[part] : undefined;
      if (!bytes) throw new Error(`message UID ${ref.id} is gone from ${path}`);
      return bytes;
    });
    if (raw === null) throw new Error(`UIDVALIDITY of ${ref.folder} changed while reading`);
    return raw;
  }

  /** Runs `fn` with the ref's folder open read-only, if its UIDVALIDITY is still the ref's; else null. */
  private async inFolderOf<T>(ref: MailRef, fn: (client: ImapFlow, path: string) => Promise<T>): Promise<T | null> {
    const client = await this.connection();
    const path = (await this.folderPaths())[ref.folder];
    const lock = await client.getMailboxLock(path, { readOnly: true });
    try {
      const [validity] = parseCursor(ref.cursor);
      const mailbox = client.mailbox;
      if (!mailbox || validity !== mailbox.uidValidity.toString()) return null;
      return await fn(client, path);
    } finally {
      lock.release();
    }
  }

  async appendDrafts(raws: Buffer[]): Promise<RefusedDraft[]> {
    return raws.length === 0 ? [] : unavailableOnError(() => this.appendDraftsNow(raws));
  }

  private async appendDraftsNow(raws: Buffer[]): Promise<RefusedDraft[]> {
    const client = await this.connection();
    const refused: RefusedDraft[] = [];
    const appendOne = async (index: number) => {
      try {
        await this.inDraftsFolder((path) => this.appendTo(client, path, raws[index]!, DRAFT_FLAGS));
      } catch (err) {
        const reason = imapRefusal(err);
        if (reason === null) throw err;
        refused.push({ index, reason });
      }
    };
    const all = raws.map((_, index) => index);
    if (raws.length === 1 || !client.capabilities.has('MULTIAPPEND')) {
      for (const index of all) await appendOne(index);
      return refused;
    }
    for (const batch of byteBatches(all, (index) => raws[index]!.length, MULTIAPPEND_MAX_BYTES)) {
      try {
        await this.inDraftsFolder((path) =>
          this.multiAppend(
            client,
            path,
            batch.map((index) => raws[index]!),
            DRAFT_FLAGS,
          ),
        );
      } catch (err) {
        if (imapRefusal(err) === null) throw err;
        // Stored all or none, so none: one at a time tells which draft the server refuses.
        for (const index of batch) await appendOne(index);
      }
    }
    return refused;
  }

  /** Runs `work` against the Drafts folder, finding (or making) it again once if it has gone. */
  private async inDraftsFolder<T>(work: (path: string) => Promise<T>): Promise<T> {
    try {
      return await work((await this.folderPaths()).drafts);
    } catch (err) {
      if (!imapFolderGone(err)) throw err;
      // The Drafts folder was deleted or renamed while casebot ran: a failed APPEND stored nothing.
      this.log.warn('Drafts folder gone, looking for it again', { was: this.paths?.drafts });
      this.paths = null;
      return await work((await this.folderPaths()).drafts);
    }
  }

  /**
   * RFC 3502 MULTIAPPEND: many messages in one command, stored all or none, so the server
   * commits (and syncs to disk) once rather than once a draft. imapflow has no call for it; its
   * command runner takes the same arguments its own append() builds.
   */
  private async multiAppend(client: ImapFlow, path: string, raws: Buffer[], flags: string[]): Promise<void> {
    const lock = await client.getMailboxLock(path);
    try {
      const utf8 = client.enabled.has('UTF8=ACCEPT') || !/[&\u0000-\u001f\u0080-\uffff]/.test(path);
      const attributes: unknown[] = [{ type: 'ATOM', value: utf8 ? path : iconv.encode(path, 'utf-7-imap').toString() }];
      for (const raw of raws)
        attributes.push(
          flags.map((flag) => ({ type: 'ATOM', value: flag })),
          { type: 'LITERAL', value: raw },
        );
      const response = await (client as unknown as CommandRunner).exec('APPEND', attributes);
      response.next(); // hands the connection to the next queued command
    } finally {
      lock.release();
    }
  }

  async appendSent(raw: Buffer): Promise<void> {
    return unavailableOnError(() => this.appendSentNow(raw));
  }

  private async appendSentNow(raw: Buffer): Promise<void> {
    const client = await this.connection();
    await this.appendTo(client, (await this.folderPaths()).sent, raw, ['\\Seen']);
  }

  async draftMessageIds(): Promise<Set<string>> {
    return unavailableOnError(() => this.inDraftsFolder((path) => this.draftMessageIdsIn(path)));
  }

  /** One FETCH of BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)] over the folder: nothing else is sent. */
  private async draftMessageIdsIn(path: string): Promise<Set<string>> {
    const client = await this.connection();
    const lock = await client.getMailboxLock(path);
    try {
      if (!client.mailbox || client.mailbox.exists === 0) return new Set();
      const messages = await client.fetchAll('1:*', { headers: ['message-id'] });
      return new Set(messages.flatMap((m) => MESSAGE_ID.exec(m.headers?.toString('latin1') ?? '')?.[1]?.trim() ?? []));
    } finally {
      lock.release();
    }
  }

  async removeDraft(messageId: string): Promise<boolean> {
    const client = await this.connection();
    const found = await this.findDrafts(messageId, async (uids) => {
      await client.messageDelete(uids, { uid: true });
    });
    return found.length > 0;
  }

  watch(onChange: () => void): () => Promise<void> {
    let stopped = false;
    let watcher: ImapFlow | null = null;
    let attempt = 0;
    let retryTimer: NodeJS.Timeout | null = null;
    const poll = setInterval(onChange, this.settings.pollMs);

    const connectWatcher = async (): Promise<void> => {
      if (stopped || !this.settings.idle) return;
      // imapflow instances are single-use: a new one per connection, listeners on it alone.
      // This connection only IDLEs: auto-IDLE on, at once after SELECT.
      const login = await imapLogin(this.settings);
      if (stopped) return;
      const client = new ImapFlow({ ...login, disableAutoIdle: false, autoIdleDelay: 0, maxIdleTime: MAX_IDLE_MS } as ImapFlowOptions);
      watcher = client;
      client.on('exists', () => onChange());
      client.on('error', (err: Error) => this.log.warn('IMAP watcher error', { error: err.message }));
      client.on('close', () => {
        if (stopped) return;
        const delay = backoffMs(++attempt, RECONNECT_BASE_MS, RECONNECT_MAX_MS, Math.random());
        this.log.warn('IMAP watcher disconnected, reconnecting', { inMs: Math.round(delay) });
        retryTimer = setTimeout(() => void connectWatcher().catch(() => undefined), delay);
      });
      try {
        await client.connect();
        await client.mailboxOpen(this.settings.folders.inbox, { readOnly: true });
        // Stopped while connecting (a pass found the config wrong at once): nothing may stay open.
        if (stopped) {
          await client.logout().catch(() => client.close());
          return;
        }
        attempt = 0;
        onChange(); // mail may have arrived while disconnected
      } catch (err) {
        this.log.warn('IMAP watcher could not connect', { error: (err as Error).message });
        client.close();
      }
    };
    void connectWatcher();

    return async () => {
      stopped = true;
      clearInterval(poll);
      if (retryTimer) clearTimeout(retryTimer);
      const w = watcher as ImapFlow | null;
      if (w?.usable) await w.logout().catch(() => w.close());
      else w?.close();
    };
  }

  private async findDrafts(messageId: string, act: (uids: number[]) => Promise<void>): Promise<number[]> {
    return unavailableOnError(() => this.findDraftsNow(messageId, act));
  }

  private async findDraftsNow(messageId: string, act: (uids: number[]) => Promise<void>): Promise<number[]> {
    const client = await this.connection();
    const lock = await client.getMailboxLock((await this.folderPaths()).drafts);
    try {
      const uids = (await client.search({ header: { 'message-id': messageId } }, { uid: true })) || [];
      if (uids.length > 0) await act(uids);
      return uids;
    } finally {
      lock.release();
    }
  }

  /** The command connection, rebuilt when the last one dropped. */
  private async connection(): Promise<ImapFlow> {
    if (this.client?.usable) return this.client;
    const client = new ImapFlow(await imapLogin(this.settings));
    client.on('error', (err: Error) => this.log.warn('IMAP connection error', { error: err.message }));
    await client.connect();
    this.client = client;
    return client;
  }

  private async folderPaths(): Promise<Record<FolderRole | 'drafts', string>> {
    if (this.paths) return this.paths;
    const client = await this.connection();
    const folders = await client.list();
    const bySpecialUse = (flag: string) => folders.find((f) => f.specialUse === flag)?.path;
    const sent = this.settings.folders.sent ?? bySpecialUse('\\Sent');
    const drafts = this.settings.folders.drafts ?? bySpecialUse('\\Drafts');
    let draftsPath = drafts;
    if (!draftsPath) {
      // Nothing is marked \\Drafts (deleted, renamed, or a server without SPECIAL-USE): make one.
      draftsPath = folders.find((f) => f.path.toLowerCase() === 'drafts')?.path ?? (await client.mailboxCreate('Drafts')).path;
      this.log.warn('no folder marked \\Drafts; using Drafts', { path: draftsPath });
    }
    if (!sent) throw new MailboxMisconfigured('mailbox.imap.folders.sent: the server marks no folder \\Sent; name the Sent folder here');
    // A folder the config names must be there: a typo is not fixed by trying again.
    for (const [key, path] of [
      ['inbox', this.settings.folders.inbox],
      ['sent', this.settings.folders.sent],
      ['drafts', this.settings.folders.drafts],
    ] as const) {
      if (path !== undefined && !folders.some((f) => f.path === path))
        throw new MailboxMisconfigured(`mailbox.imap.folders.${key}: the server has no folder "${path}"`);
    }
    this.paths = { inbox: this.settings.folders.inbox, sent, drafts: draftsPath };
    return this.paths;
  }
}

/** Any failure to talk to the server is the server's, not the mail's: see MailboxUnavailable. */
async function unavailableOnError<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof MailboxUnavailable || err instanceof MailboxMisconfigured) throw err;
    throw new MailboxUnavailable(imapUnavailable(err), err);
  }
}

/** Splits `items`, in order, into runs of at most `maxBytes` (a bigger one goes alone). */
function byteBatches<T>(items: T[], sizeOf: (item: T) => number, maxBytes: number): T[][] {
  const batches: T[][] = [];
  let bytes = 0;
  for (const item of items) {
    const last = batches[batches.length - 1];
    const size = sizeOf(item);
    if (last && bytes + size <= maxBytes) {
      last.push(item);
      bytes += size;
    } else {
      batches.push([item]);
      bytes = size;
    }
  }
  return batches;
}

function parseCursor(cursor: string | null): [string | null, number] {
  if (!cursor) return [null, 0];
  const [validity, uid] = cursor.split(':');
  return [validity ?? null, Number(uid) || 0];
}

/** Connection options with the login: a fresh token for each connection, so an expired one is never reused. */
export async function imapLogin(
  s: Pick<ImapSettings, 'host' | 'port' | 'secure' | 'user' | 'password' | 'tokens'>,
): Promise<ImapFlowOptions> {
  return {
    host: s.host,
    port: s.port,
    secure: s.secure,
    auth: s.tokens ? { user: s.user, accessToken: await s.tokens.token() } : { user: s.user, pass: s.password ?? '' },
    logger: false,
    disableAutoIdle: true,
  };
}
