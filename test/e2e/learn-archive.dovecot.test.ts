// `casebot learn` on a real IMAP server: the blind archive (45 closed threads answered by six
// engineers, none of them in the config) in Dovecot's INBOX and Sent. Every thread is remembered.

import fs from 'node:fs';
import path from 'node:path';
import { main } from '../../src/cli/main';
import { startDovecot, type DovecotServer, connectImapClient } from '../helpers/dovecot';
import { withBot } from '../helpers/run-pass';
import { writeTestConfig } from '../helpers/test-config';
import { archiveLabels, archiveOf, BLIND_DIR } from '../memory/labelled-archive';

let server: DovecotServer;

afterAll(async () => {
  await server?.stop();
});

test('learn INBOX (with its Sent folder) remembers every closed thread of the blind archive', async () => {
  server = await startDovecot();
  const client = await connectImapClient(server);
  try {
    for (const [dir, folder] of [
      ['cur', 'INBOX'],
      ['.Sent/cur', 'Sent'],
    ] as const) {
      for (const name of fs.readdirSync(path.join(archiveOf(BLIND_DIR), dir)).sort()) {
        const seconds = Number(name.split('.')[0]);
        await client.append(folder, fs.readFileSync(path.join(archiveOf(BLIND_DIR), dir, name)), ['\\Seen'], new Date(seconds * 1000));
      }
    }
  } finally {
    await client.logout();
  }
  process.env.CASEBOT_TEST_IMAP_PASSWORD = server.password;
  const configFile = writeTestConfig({
    imap: { host: server.host, port: server.port, user: server.user, passwordEnv: 'CASEBOT_TEST_IMAP_PASSWORD' },
  });
  let out = '';
  const write = process.stdout.write.bind(process.stdout);
  const writeErr = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((chunk: string) => ((out += chunk), true)) as typeof process.stdout.write;
  process.stderr.write = (() => true) as typeof process.stderr.write;
  try {
    expect(await main(['node', 'casebot', 'learn', 'INBOX', '-c', configFile])).toBe(0);
  } finally {
    process.stdout.write = write;
    process.stderr.write = writeErr;
  }
  const labels = archiveLabels(BLIND_DIR);
  expect(out).toContain(`INBOX: 244 mails, 45 case threads; remembered 45`);
  expect(out).not.toContain('not remembered');
  await withBot(configFile, (bot) => {
    expect(bot.memory.size()).toBe(labels.length);
    for (const l of labels) expect(bot.memory.recall(l.caseId)).not.toBeNull();
  });
}, 180_000);
