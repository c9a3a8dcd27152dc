// Faults around drafting against a real Dovecot: a crash after the draft was decided but before
// (or right after) its APPEND, and the watch loop picking mail up by IDLE.

import fs from 'node:fs';
import path from 'node:path';
import { ImapFlow } from 'imapflow';
import { processMailbox } from '../../src/app/process-mailbox';
import { watchMailbox } from '../../src/app/watch-mailbox';
import { loadConfig } from '../../src/config/load';
import { createCasebot } from '../../src/main';
import { ImapMailbox } from '../../src/adapters/imap/imap-mailbox';
import type { Logger } from '../../src/ports/logger';
import type { Mailbox } from '../../src/ports/mailbox';
import { startDovecot, type DovecotServer, connectImapClient } from '../helpers/dovecot';
import { writeTestConfig } from '../helpers/test-config';
import { withFaults } from '../helpers/with-faults';

const quiet: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };
const opening = fs.readFileSync(path.join(__dirname, '../../mailbox-fixtures/seed-case/01-opening.eml'));

let server: DovecotServer;
let client: ImapFlow;

beforeEach(async () => {
  server = await startDovecot();
  process.env.CASEBOT_TEST_IMAP_PASSWORD = server.password;
  client = await connectImapClient(server);
});

afterEach(async () => {
  await client?.logout().catch(() => undefined);
  await server?.stop();
});

function config(): string {
  return writeTestConfig({ imap: { host: server.host, port: server.port, user: server.user, passwordEnv: 'CASEBOT_TEST_IMAP_PASSWORD' } });
}

async function draftCount(): Promise<number> {
  const status = await client.status('Drafts', { messages: true });
  return status.messages ?? 0;
}

/** The real IMAP mailbox, made to crash at one point of drafting. */
function crashing(inner: Mailbox, when: 'before-append' | 'after-append'): Mailbox {
  return withFaults(inner, {
    appendDrafts: async (raws: Buffer[]) => {
      if (when === 'after-append') await inner.appendDrafts(raws);
      throw new Error(`simulated crash ${when}`);
    },
  });
}

test.each(['before-append', 'after-append'] as const)('a crash %s leaves exactly one draft after restart', async (when) => {
  const file = config();
  await client.append('INBOX', opening);
  const cfg = loadConfig(file);
  const inner = new ImapMailbox(
    {
      host: server.host,
      port: server.port,
      secure: false,
      user: server.user,
      password: server.password,
      tokens: null,
      folders: { inbox: 'INBOX' },
      pollMs: 1000,
      idle: false,
    },
    quiet,
  );
  const first = createCasebot(cfg, quiet, { mailbox: crashing(inner, when) });
  await first.mailbox.open();
  await expect(processMailbox(first)).rejects.toThrow(/simulated crash/);
  await first.close();
  expect(await draftCount()).toBe(when === 'after-append' ? 1 : 0);

  const second = createCasebot(loadConfig(file), quiet);
  await second.mailbox.open();
  const report = await processMailbox(second);
  await second.close();
  expect(report.ingested).toBe(0); // the mail was committed before the crash
  expect(await draftCount()).toBe(1);
});

test('the watch loop drafts a mail that arrives while it is idle', async () => {
  const bot = createCasebot(loadConfig(config()), quiet);
  await bot.mailbox.open();
  const drafted: string[] = [];
  const watcher = watchMailbox(bot, (r) => drafted.push(...r.drafts.map((d) => d.caseId)));
  try {
    await new Promise((r) => setTimeout(r, 500));
    await client.append('INBOX', opening);
    for (let i = 0; i < 100 && drafted.length === 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect(drafted).toEqual(['CAS-06079-G5K3W1']);
    expect(await draftCount()).toBe(1);
  } finally {
    await watcher.stop();
    await bot.close();
  }
});
