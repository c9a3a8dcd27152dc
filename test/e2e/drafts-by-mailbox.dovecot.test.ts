// Drafts are keyed by the mailbox, not only the store: a fresh store against a mailbox that
// already holds casebot's drafts (a store lost, restored or moved) adopts them instead of
// storing them twice, over IMAP (a real Dovecot) and over a Maildir. One listing of the Drafts
// folder's Message-IDs does for a whole pass.

import fs from 'node:fs';
import path from 'node:path';
import type { ImapFlow } from 'imapflow';
import { processMailbox } from '../../src/app/process-mailbox';
import { loadConfig } from '../../src/config/load';
import { createCasebot, createMailbox } from '../../src/main';
import type { Logger } from '../../src/ports/logger';
import { startDovecot, withImapClient, type DovecotServer } from '../helpers/dovecot';
import { buildMail, type MailSpec } from '../helpers/mail-factory';
import { deliver, tempMaildir } from '../helpers/temp-maildir';
import { writeTestConfig, type TestMailbox } from '../helpers/test-config';
import { withFaults } from '../helpers/with-faults';

const quiet: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };
let n = 0;

function caseMail(): MailSpec {
  n++;
  const caseId = `CAS-${30000 + n}-ADOPT${n % 10}`;
  return {
    from: `kehu${n}@unit.example.cn`,
    to: ['weiliang@cmgos.com'],
    subject: `[案例号: ${caseId} ] 升级失败`,
    date: new Date().toISOString(),
    messageId: `<adopt.${n}.${Date.now()}@unit.example.cn>`,
    text: '升级失败',
  };
}

interface Fixture {
  mailbox: TestMailbox;
  deliver(spec: MailSpec): Promise<void>;
  /** Message-IDs of everything in the Drafts folder, as the mailbox holds them. */
  draftIds(): Promise<string[]>;
}

/** Store A drafts for three cases; a fourth arrives; a fresh store B runs one pass on the same mailbox. */
async function freshStoreScenario(f: Fixture): Promise<void> {
  for (let i = 0; i < 3; i++) await f.deliver(caseMail());
  const a = createCasebot(loadConfig(writeTestConfig(f.mailbox)), quiet);
  await a.mailbox.open();
  expect((await processMailbox(a)).drafts).toHaveLength(3);
  await a.close();
  const before = await f.draftIds();
  expect(before).toHaveLength(3);
  await f.deliver(caseMail());

  const config = loadConfig(writeTestConfig(f.mailbox));
  const inner = createMailbox(config, quiet);
  const calls = { listings: 0, appended: 0 };
  const mailbox = withFaults(inner, {
    draftMessageIds: () => (calls.listings++, inner.draftMessageIds()),
    appendDrafts: (raws) => ((calls.appended += raws.length), inner.appendDrafts(raws)),
  });
  const b = createCasebot(config, quiet, { mailbox });
  await b.mailbox.open();
  const report = await processMailbox(b);
  expect(report.drafts).toHaveLength(4);
  expect(calls).toEqual({ listings: 1, appended: 1 }); // one listing; only the new case's draft stored

  const after = await f.draftIds();
  expect(after).toHaveLength(4);
  expect(new Set(after).size).toBe(4);
  expect(after).toEqual(expect.arrayContaining(before));
  const live = b.store.drafts.withStatus('live');
  expect(live.map((d) => d.messageId).sort()).toEqual([...after].sort());
  const adopted = live.filter((d) => b.store.events.list(d.caseId).some((e) => e.type === 'draft-stored' && e.detail.adopted === true));
  expect(adopted.map((d) => d.messageId).sort()).toEqual([...before].sort());

  // And the next pass leaves it all as it is.
  await processMailbox(b);
  await b.close();
  expect(await f.draftIds()).toHaveLength(4);
}

describe('a fresh store against Drafts that already hold the drafts', () => {
  let server: DovecotServer | null = null;
  afterEach(async () => {
    await server?.stop();
    server = null;
  });

  test('IMAP (Dovecot): adopted, not appended again', async () => {
    const s = (server = await startDovecot());
    process.env.CASEBOT_TEST_IMAP_PASSWORD = s.password;
    const withClient = <T>(fn: (c: ImapFlow) => Promise<T>): Promise<T> => withImapClient(s, fn);
    await freshStoreScenario({
      mailbox: { imap: { host: s.host, port: s.port, user: s.user, passwordEnv: 'CASEBOT_TEST_IMAP_PASSWORD' } },
      deliver: async (spec) => void (await withClient(async (c) => c.append('INBOX', await buildMail(spec)))),
      draftIds: () =>
        withClient(async (c) => {
          const lock = await c.getMailboxLock('Drafts');
          try {
            if (c.mailbox && c.mailbox.exists === 0) return [];
            return (await c.fetchAll('1:*', { envelope: true })).map((m) => m.envelope!.messageId!.replace(/^<|>$/g, ''));
          } finally {
            lock.release();
          }
        }),
    });
  }, 60000);

  test('Maildir: adopted, not written again', async () => {
    const root = tempMaildir();
    const draftsDir = path.join(root, '.Drafts', 'cur');
    await freshStoreScenario({
      mailbox: { maildir: root },
      deliver: (spec) => deliver(root, spec),
      draftIds: async () =>
        fs.readdirSync(draftsDir).map((f) => /^message-id:\s*<([^>]+)>/im.exec(fs.readFileSync(path.join(draftsDir, f), 'latin1'))![1]!),
    });
  });
});
