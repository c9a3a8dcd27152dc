// A configuration the server cannot satisfy (a Sent folder it does not have) is not retried at
// every poll: `casebot run` stops at once with the key to fix, and the store records it.

import { spawn } from 'node:child_process';
import path from 'node:path';
import { startDovecot, type DovecotServer } from '../helpers/dovecot';
import { withBot } from '../helpers/run-pass';
import { writeTestConfig } from '../helpers/test-config';

const bin = path.join(__dirname, '../../bin/casebot.js');
let server: DovecotServer;

afterAll(async () => {
  await server?.stop();
});

test('a Sent folder the server does not have stops the watch with the key named, exit 1', async () => {
  server = await startDovecot();
  process.env.CASEBOT_TEST_IMAP_PASSWORD = server.password;
  const configFile = writeTestConfig({
    imap: {
      host: server.host,
      port: server.port,
      user: server.user,
      passwordEnv: 'CASEBOT_TEST_IMAP_PASSWORD',
      folders: { sent: 'Gesendet' },
    },
  });
  const child = spawn(process.execPath, [bin, 'run', '-c', configFile], {
    env: { ...process.env, CASEBOT_TEST_IMAP_PASSWORD: server.password },
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exit = await new Promise<number | null>((resolve) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve(null);
    }, 30_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
  expect(exit).toBe(1);
  expect(stderr).toContain('mailbox.imap.folders.sent: the server has no folder "Gesendet"');
  await withBot(configFile, (bot) => {
    const faults = bot.store.events.list(null).filter((e) => e.type === 'mailbox-fault');
    expect(faults.map((e) => e.detail.configuration)).toEqual([true]);
  });
}, 60_000);
