// `casebot check --connect` against a real Dovecot and SMTP server on loopback: a good config
// lists what it found and exits 0, leaving no trace in Drafts; a wrong password, a missing
// folder or an SMTP server that is not there is named on its own line, and the exit is 1.

import { spawn, spawnSync } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { startDovecot, type DovecotServer, connectImapClient } from '../helpers/dovecot';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink';
import { writeTestConfig, type TestMailbox } from '../helpers/test-config';

const bin = path.join(__dirname, '../../bin/casebot.js');
let server: DovecotServer;
let smtp: SmtpSink;

beforeAll(async () => {
  server = await startDovecot();
  smtp = await startSmtpSink();
});
afterAll(async () => {
  await smtp?.stop();
  await server?.stop();
});

/** Not spawnSync: the SMTP server runs in this process and must go on answering. */
function check(mailbox: TestMailbox, password = server.password): Promise<{ status: number | null; stdout: string }> {
  const config = writeTestConfig(mailbox);
  const child = spawn(process.execPath, [bin, 'check', '--connect', '-c', config], {
    env: { ...process.env, CASEBOT_TEST_IMAP_PASSWORD: password },
    stdio: ['ignore', 'pipe', 'ignore'],
    timeout: 30000,
  });
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  return new Promise((resolve) => child.once('close', (status) => resolve({ status, stdout })));
}

const imap = (folders?: { drafts?: string }) => ({
  host: server.host,
  port: server.port,
  user: server.user,
  passwordEnv: 'CASEBOT_TEST_IMAP_PASSWORD',
  ...(folders ? { folders } : {}),
});

async function draftsCount(): Promise<number> {
  const client = await connectImapClient(server);
  try {
    return (await client.status('Drafts', { messages: true })).messages ?? -1;
  } finally {
    await client.logout();
  }
}

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as net.AddressInfo;
  await new Promise((resolve) => s.close(resolve));
  return port;
}

test('a good config: every line found, exit 0, and Drafts as it was', async () => {
  const r = await check({ imap: imap(), smtpPort: smtp.port });
  expect(r.status).toBe(0);
  expect(r.stdout.split('\n').filter((l) => /^[✔✖]/.test(l))).toEqual([
    `✔ IMAP casebot@127.0.0.1:${server.port}: logged in`,
    '✔ inbox: "INBOX" (mailbox.imap.folders.inbox), 0 messages',
    '✔ sent: "Sent" (\\Sent), 0 messages',
    '✔ drafts: "Drafts" (\\Drafts), 0 messages',
    '✔ drafts: may store drafts (a test draft was stored and removed)',
    `✔ SMTP 127.0.0.1:${smtp.port}: connected (no login configured)`,
  ]);
  expect(await draftsCount()).toBe(0);
}, 60000);

test('a wrong password: the login line says it was refused, exit 1', async () => {
  const r = await check({ imap: imap(), smtpPort: smtp.port }, 'wrong');
  expect(r.status).toBe(1);
  expect(r.stdout).toMatch(new RegExp(`^✖ IMAP casebot@127\\.0\\.0\\.1:${server.port}: login refused.*$`, 'm'));
  expect(r.stdout).toContain('✔ SMTP'); // the other server is still checked
}, 60000);

test('a configured folder that does not exist, and no SMTP server: each named, exit 1', async () => {
  const port = await closedPort();
  const r = await check({ imap: imap({ drafts: 'Entwürfe' }), smtpPort: port });
  expect(r.status).toBe(1);
  expect(r.stdout).toContain('✔ sent: "Sent" (\\Sent), 0 messages');
  expect(r.stdout).toContain('✖ drafts: no folder "Entwürfe" (mailbox.imap.folders.drafts)\n');
  expect(r.stdout).toContain(`✖ SMTP 127.0.0.1:${port}: connection refused\n`);
}, 60000);

test('without --connect, check only validates the files: no server is asked', () => {
  const config = writeTestConfig({ imap: { ...imap(), port: 1 } });
  const r = spawnSync(process.execPath, [bin, 'check', '-c', config], {
    encoding: 'utf8',
    env: { ...process.env, CASEBOT_TEST_IMAP_PASSWORD: 'x' },
  });
  expect(r.status).toBe(0);
  expect(r.stdout).not.toContain('IMAP');
});
