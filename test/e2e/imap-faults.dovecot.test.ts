// Connection faults against a real Dovecot: a restart while casebot idles, a restart between
// listing and fetching, a connection dropped during APPEND, UIDVALIDITY changed under it, a
// refused login, the Drafts folder renamed, a draft the server refuses (too big for its limit);
// and drafts stored in a folder with a Chinese name. casebot recovers, drafts each mail once,
// and quarantines nothing for a fault of the server's.

import fs from 'node:fs';
import path from 'node:path';
import type { ImapFlow } from 'imapflow';
import { ImapMailbox } from '../../src/adapters/imap/imap-mailbox';
import { processMailbox } from '../../src/app/process-mailbox';
import { makeDigest } from '../../src/app/send-digest';
import { watchMailbox } from '../../src/app/watch-mailbox';
import { loadConfig } from '../../src/config/load';
import { createCasebot, createMailbox } from '../../src/main';
import type { Logger } from '../../src/ports/logger';
import type { MailRef } from '../../src/ports/mailbox';
import { startDovecot, withImapClient, type DovecotServer } from '../helpers/dovecot';
import { buildMail } from '../helpers/mail-factory';
import { writeTestConfig } from '../helpers/test-config';
import { withFaults } from '../helpers/with-faults';

const quiet: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };
let server: DovecotServer;
let n = 0;

beforeEach(async () => {
  server = await startDovecot();
  process.env.CASEBOT_TEST_IMAP_PASSWORD = server.password;
});
afterEach(async () => {
  await server?.stop();
});

const config = () =>
  writeTestConfig({ imap: { host: server.host, port: server.port, user: server.user, passwordEnv: 'CASEBOT_TEST_IMAP_PASSWORD' } });

const withClient = <T>(fn: (c: ImapFlow) => Promise<T>): Promise<T> => withImapClient(server, fn);

async function deliverCase(): Promise<string> {
  n++;
  const caseId = `CAS-${String(20000 + n)}-FAULT${n % 10}`;
  const raw = await buildMail({
    from: `kehu${n}@unit.example.cn`,
    to: ['weiliang@cmgos.com'],
    subject: `[案例号: ${caseId} ] 升级失败`,
    date: new Date().toISOString(),
    messageId: `<fault.${n}.${Date.now()}@unit.example.cn>`,
    text: '升级失败',
  });
  await withClient((c) => c.append('INBOX', raw));
  return caseId;
}

const draftCount = () => withClient(async (c) => (await c.status('Drafts', { messages: true })).messages ?? 0);

function imapOf(file: string): ImapMailbox {
  const cfg = loadConfig(file);
  const m = cfg.mailbox.kind === 'imap' ? cfg.mailbox.imap : null;
  return new ImapMailbox(
    {
      host: m!.host,
      port: m!.port,
      secure: false,
      user: m!.user,
      password: server.password,
      tokens: null,
      folders: { inbox: 'INBOX' },
      pollMs: 500,
      idle: true,
    },
    quiet,
  );
}

/** The first call is the faulty one; every later call behaves. */
function once<A extends unknown[], R>(normal: (...a: A) => Promise<R>, faulty: (...a: A) => Promise<R>): (...a: A) => Promise<R> {
  let used = false;
  return (...a: A) => {
    if (used) return normal(...a);
    used = true;
    return faulty(...a);
  };
}

test('Dovecot restarted while casebot idles: it reconnects and drafts the next mail', async () => {
  const bot = createCasebot(loadConfig(config()), quiet);
  await bot.mailbox.open();
  const drafted: string[] = [];
  const watcher = watchMailbox(bot, (r) => drafted.push(...r.drafts.map((d) => d.caseId)));
  try {
    await new Promise((r) => setTimeout(r, 500));
    await server.restart();
    const caseId = await deliverCase();
    for (let i = 0; i < 150 && !drafted.includes(caseId); i++) await new Promise((r) => setTimeout(r, 100));
    expect(drafted).toEqual([caseId]);
    expect(await draftCount()).toBe(1);
  } finally {
    await watcher.stop();
    await bot.close();
  }
}, 40000);

test('restarted between listing and fetching: recovered (in this pass or the next), nothing quarantined', async () => {
  const file = config();
  await deliverCase();
  const inner = imapOf(file);
  const fetchRaw = once(
    (ref: MailRef) => inner.fetchRaw(ref),
    async (ref: MailRef) => {
      await server.restart();
      return inner.fetchRaw(ref);
    },
  );
  const bot = createCasebot(loadConfig(file), quiet, { mailbox: withFaults(inner, { fetchRaw }) });
  await bot.mailbox.open();
  const drafted: string[] = [];
  for (let i = 0; i < 3; i++) {
    const report = await processMailbox(bot).catch((err: Error) => {
      expect(err.message).toMatch(/IMAP|cannot read/);
      return null;
    });
    drafted.push(...(report?.drafts.map((d) => d.caseId) ?? []));
  }
  expect(drafted).toHaveLength(1);
  expect(bot.store.quarantine.pending()).toEqual([]);
  await bot.close();
  expect(await draftCount()).toBe(1);
}, 40000);

test('connection dropped during a MULTIAPPEND of three drafts: after recovery exactly one draft a case', async () => {
  const file = config();
  const cases = [await deliverCase(), await deliverCase(), await deliverCase()];
  const inner = imapOf(file);
  const batches: number[] = [];
  const appendDrafts = once(
    (raws: Buffer[]) => {
      batches.push(raws.length);
      return inner.appendDrafts(raws);
    },
    async (raws: Buffer[]) => {
      batches.push(raws.length);
      await Promise.allSettled([inner.appendDrafts(raws), server.restart()]);
      throw new Error('connection dropped');
    },
  );
  const bot = createCasebot(loadConfig(file), quiet, { mailbox: withFaults(inner, { appendDrafts }) });
  await bot.mailbox.open();
  await expect(processMailbox(bot)).rejects.toThrow();
  await processMailbox(bot);
  await processMailbox(bot);
  await bot.close();
  expect(batches[0]).toBe(3); // the three went as one command
  const drafts = await withClient(async (c) => {
    const lock = await c.getMailboxLock('Drafts');
    try {
      return await c.fetchAll('1:*', { flags: true, envelope: true });
    } finally {
      lock.release();
    }
  });
  expect(drafts.map((d) => cases.find((id) => d.envelope?.subject?.includes(id))).sort()).toEqual([...cases].sort());
  for (const d of drafts) expect([...(d.flags ?? [])].sort()).toEqual(['\\Draft', '\\Seen']);
}, 40000);

test('UIDVALIDITY changed (mailbox index recreated): a rescan, no second draft for old mail', async () => {
  const file = config();
  await deliverCase();
  const first = createCasebot(loadConfig(file), quiet);
  await first.mailbox.open();
  await processMailbox(first);
  await first.close();
  // Dovecot forgets its UIDs: new UIDVALIDITY on the next start.
  const before = await withClient(async (c) => (await c.status('INBOX', { uidValidity: true })).uidValidity);
  await startOver();
  const after = await withClient(async (c) => (await c.status('INBOX', { uidValidity: true })).uidValidity);
  expect(after).not.toBe(before);
  const second = createCasebot(loadConfig(file), quiet);
  await second.mailbox.open();
  const caseId = await deliverCase();
  const report = await processMailbox(second);
  expect(report.drafts.map((d) => d.caseId)).toEqual([caseId]);
  expect(report.duplicates).toBeGreaterThanOrEqual(1);
  await second.close();
  expect(await draftCount()).toBe(2);
}, 40000);

/** Restart Dovecot on the same Maildir with its UID lists and indexes removed. */
async function startOver(): Promise<void> {
  const removeIndexes = (dir: string) => {
    for (const name of fs.readdirSync(dir)) {
      const full = path.join(dir, name);
      if (/^dovecot[.-]/.test(name)) fs.rmSync(full, { recursive: true, force: true });
      else if (name.startsWith('.') && fs.statSync(full).isDirectory()) removeIndexes(full);
    }
  };
  removeIndexes(server.maildir);
  await server.restart();
}

test('a refused login is a clear fault, not a crash', async () => {
  process.env.CASEBOT_TEST_IMAP_PASSWORD = 'wrong';
  const bot = createCasebot(loadConfig(config()), quiet);
  await expect(bot.mailbox.open()).rejects.toThrow(/login refused|IMAP/);
  await bot.close();
});

test('the Drafts folder renamed while casebot runs: drafts go to a Drafts folder again', async () => {
  const file = config();
  const bot = createCasebot(loadConfig(file), quiet);
  await bot.mailbox.open();
  await deliverCase();
  await processMailbox(bot);
  await withClient((c) => c.mailboxRename('Drafts', 'Old drafts'));
  await deliverCase(); // two at once: the MULTIAPPEND meets the missing folder
  await deliverCase();
  await processMailbox(bot);
  await bot.close();
  const counts = await withClient(async (c) => ({
    drafts: (await c.status('Drafts', { messages: true })).messages,
    old: (await c.status('Old drafts', { messages: true })).messages,
  }));
  expect(counts).toEqual({ drafts: 2, old: 1 });
}, 40000);

test('a Drafts folder with a Chinese name: several drafts at once land there (modified UTF-7 on the wire)', async () => {
  await withClient((c) => c.mailboxCreate('草稿箱'));
  const file = writeTestConfig({
    imap: {
      host: server.host,
      port: server.port,
      user: server.user,
      passwordEnv: 'CASEBOT_TEST_IMAP_PASSWORD',
      folders: { inbox: 'INBOX', drafts: '草稿箱' },
    },
  });
  await deliverCase();
  await deliverCase();
  const bot = createCasebot(loadConfig(file), quiet);
  await bot.mailbox.open();
  const report = await processMailbox(bot);
  await bot.close();
  expect(report.drafts).toHaveLength(2);
  expect(await withClient(async (c) => (await c.status('草稿箱', { messages: true })).messages)).toBe(2);
}, 40000);

test('a draft the server refuses (over its size limit) holds up no other draft or mail, is reported once, and lands when it fits', async () => {
  await server.stop();
  // Dovecot's quota plugin answers an APPEND over this size "NO [LIMIT] Mail size is larger ...".
  server = await startDovecot({
    config: 'mail_plugins = $mail_plugins quota\nplugin {\n  quota = maildir:User quota\n  quota_max_mail_size = 64k\n}\n',
  });
  const file = config();
  const inner = createMailbox(loadConfig(file), quiet);
  // The first draft of the first batch is made too big for the server; the refusal is Dovecot's own.
  let oversized: string | null = null;
  let tooBig = true;
  const appendDrafts = (raws: Buffer[]) =>
    inner.appendDrafts(
      raws.map((raw) => {
        const messageId = /^Message-ID:\s*<([^>\s]+)>/im.exec(raw.toString('latin1'))?.[1] ?? '';
        if (oversized === null && raws.length > 1) oversized = messageId;
        return tooBig && messageId === oversized ? Buffer.concat([raw, Buffer.from(`\r\n${'x'.repeat(76)}`.repeat(1000))]) : raw;
      }),
    );
  const bot = createCasebot(loadConfig(file), quiet, { mailbox: withFaults(inner, { appendDrafts }) });
  await bot.mailbox.open();
  const first = [await deliverCase(), await deliverCase(), await deliverCase()];
  const one = await processMailbox(bot);
  expect(one.drafts).toHaveLength(3);
  expect(await draftCount()).toBe(2);
  const refused = bot.store.drafts.byMessageId(oversized!)!;
  expect(refused.status).toBe('pending');
  const refusals = () => first.flatMap((caseId) => bot.store.events.list(caseId)).filter((e) => e.type === 'draft-refused');
  expect(refusals()).toHaveLength(1);
  expect(refusals()[0]!.detail.reason).toBe('Mail size is larger than the maximum size allowed by server configuration');

  // Still refused next pass: a new case is drafted all the same, and the refusal is not repeated.
  const later = await deliverCase();
  const two = await processMailbox(bot);
  expect(two.ingested).toBe(1);
  expect(await draftCount()).toBe(3);
  expect(bot.store.drafts.live(later)?.status).toBe('live');
  expect(refusals()).toHaveLength(1);
  const { rendered } = makeDigest(bot, null, 'support@cmgos.com');
  expect(rendered.text).toContain('草稿未能存入草稿箱');
  expect(rendered.text).toContain(refused.caseId);

  tooBig = false; // the limit raised, say: the waiting draft lands, once
  await processMailbox(bot);
  await processMailbox(bot);
  expect(bot.store.drafts.byMessageId(oversized!)!.status).toBe('live');
  await bot.close();
  expect(await draftCount()).toBe(4);
  const inDrafts = await withClient(async (c) => {
    const lock = await c.getMailboxLock('Drafts');
    try {
      return (await c.fetchAll('1:*', { envelope: true })).map((m) => m.envelope?.messageId);
    } finally {
      lock.release();
    }
  });
  expect(new Set(inDrafts).size).toBe(4);
}, 60000);
