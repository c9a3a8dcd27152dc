// A mail that runs over its time budget is quarantined with its reason, the rest of the
// mailbox goes on, `casebot quarantine list` shows it, and `replay` processes it once fixed.

import fs from 'node:fs';
import path from 'node:path';
import { processMailbox } from '../../src/app/process-mailbox';
import { replayQuarantine } from '../../src/app/replay-quarantine';
import { main } from '../../src/cli/main';
import { loadConfig } from '../../src/config/load';
import { createCasebot } from '../../src/main';
import { MaildirMailbox } from '../../src/adapters/maildir/maildir-mailbox';
import type { Logger } from '../../src/ports/logger';
import type { Mailbox, MailRef } from '../../src/ports/mailbox';
import { tempMaildir } from '../helpers/temp-maildir';
import { writeTestConfig } from '../helpers/test-config';
import { withFaults } from '../helpers/with-faults';

const quiet: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };
const seedDir = path.join(__dirname, '../../mailbox-fixtures/seed-case');

/** The real Maildir, made slow on one mail: a stand-in for a mail that hangs the parser. */
function slowOn(inner: Mailbox, slow: { name: string | null }): Mailbox {
  return withFaults(inner, {
    fetchRaw: async (ref: MailRef) => {
      if (slow.name && ref.id.includes(slow.name)) await new Promise((r) => setTimeout(r, 2500));
      return inner.fetchRaw(ref);
    },
  });
}

test('quarantine, list, replay', async () => {
  const root = tempMaildir();
  fs.copyFileSync(path.join(seedDir, '01-opening.eml'), path.join(root, 'new', '1800000001.M1P1.q:2,'));
  fs.copyFileSync(
    path.join(
      __dirname,
      '../../mailbox-fixtures/demo/new',
      fs.readdirSync(path.join(__dirname, '../../mailbox-fixtures/demo/new')).find((f) => !f.startsWith('.'))!,
    ),
    path.join(root, 'new', '1800000002.M2P1.q:2,'),
  );
  const file = writeTestConfig({ maildir: root, extra: { limits: { mailSeconds: 1 } } });
  const slow = { name: '1800000001' as string | null };
  const bot = createCasebot(loadConfig(file), quiet, { mailbox: slowOn(new MaildirMailbox(root), slow) });
  await bot.mailbox.open();
  const report = await processMailbox(bot);
  expect(report.failed).toBe(1);
  expect(report.drafts).toHaveLength(1); // the other mail went on
  const [q] = bot.store.quarantine.pending();
  expect(q!.reason).toBe('处理超过了 1 秒的时间限制');

  const out: string[] = [];
  const write = jest.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => (out.push(String(c)), true));
  try {
    await main(['node', 'casebot', 'quarantine', 'list', '-c', file]);
  } finally {
    write.mockRestore();
  }
  expect(out.join('')).toMatch(/inbox:.*1800000001.*处理超过了 1 秒的时间限制/);

  // Still slow: still quarantined. Fixed: processed, released, drafted.
  expect((await replayQuarantine(bot, null)).results).toEqual([{ id: q!.id, ok: false }]);
  slow.name = null;
  const replay = await replayQuarantine(bot, null);
  expect(replay.results).toEqual([{ id: q!.id, ok: true }]);
  expect(replay.report.drafts.map((d) => d.caseId)).toEqual(['CAS-06079-G5K3W1']);
  expect(bot.store.quarantine.pending()).toEqual([]);
  // The late, abandoned first attempt committed nothing: the mail is stored once.
  await new Promise((r) => setTimeout(r, 1500));
  expect(bot.store.counts().messages).toBe(2);
  await bot.close();
}, 30000);
