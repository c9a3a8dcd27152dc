// OAuth2 login against a real Dovecot: its oauth2 passdb checks casebot's access token with a
// token introspection endpoint on loopback (RFC 7662, POST). A valid token reads and drafts;
// a revoked one is a clear login fault, and the mail waits in the mailbox.

import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { processMailbox } from '../../src/app/process-mailbox';
import { loadConfig } from '../../src/config/load';
import { createCasebot } from '../../src/main';
import type { Logger } from '../../src/ports/logger';
import { startDovecot, withImapClient, type DovecotServer } from '../helpers/dovecot';
import { buildMail } from '../helpers/mail-factory';
import { writeTestConfig } from '../helpers/test-config';

const quiet: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };
const VALID_TOKEN = 'ya29.casebot-test-token';
let server: DovecotServer;
let introspection: http.Server;
const introspected: string[] = [];

beforeAll(async () => {
  introspection = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const token = new URLSearchParams(body).get('token') ?? '';
      introspected.push(token);
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(token === VALID_TOKEN ? { active: true, username: 'casebot' } : { active: false }));
    });
  });
  await new Promise<void>((resolve) => introspection.listen(0, '127.0.0.1', resolve));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'casebot-oauth2-'));
  fs.chmodSync(dir, 0o755); // Dovecot's auth process (user dovecot) reads the file
  const settings = path.join(dir, 'dovecot-oauth2.conf.ext');
  const { port } = introspection.address() as AddressInfo;
  fs.writeFileSync(
    settings,
    `introspection_mode = post\nintrospection_url = http://127.0.0.1:${port}/introspect\nforce_introspection = yes\nusername_attribute = username\nactive_attribute = active\nactive_value = true\n`,
    { mode: 0o644 },
  );
  server = await startDovecot({
    config: `auth_mechanisms = plain login oauthbearer xoauth2\npassdb {\n  driver = oauth2\n  mechanisms = xoauth2 oauthbearer\n  args = ${settings}\n}\n`,
  });
});
afterAll(async () => {
  await server?.stop();
  introspection?.closeAllConnections();
  await new Promise((resolve) => introspection?.close(resolve));
});

async function deliver(caseId: string): Promise<void> {
  const raw = await buildMail({
    from: 'kehu@unit.example.cn',
    to: ['weiliang@cmgos.com'],
    subject: `[案例号: ${caseId} ] 升级失败`,
    date: new Date().toISOString(),
    messageId: `<oauth2.${caseId}@unit.example.cn>`,
    text: '升级失败',
  });
  await withImapClient(server, (c) => c.append('INBOX', raw));
}

const configWithToken = (token: string) => {
  process.env.CASEBOT_TEST_IMAP_TOKEN = token;
  return loadConfig(
    writeTestConfig({ imap: { host: server.host, port: server.port, user: server.user, accessTokenEnv: 'CASEBOT_TEST_IMAP_TOKEN' } }),
  );
};

test('a valid access token logs in over OAuth2: the case mail is read and drafted', async () => {
  await deliver('CAS-31001-OAUTH1');
  const bot = createCasebot(configWithToken(VALID_TOKEN), quiet);
  await bot.mailbox.open();
  const report = await processMailbox(bot);
  await bot.close();
  expect(report.ingested).toBe(1);
  expect(report.drafts.map((d) => d.caseId)).toEqual(['CAS-31001-OAUTH1']);
  expect(introspected).toContain(VALID_TOKEN);
}, 30000);

test('a revoked access token is a login fault, not a crash, and the mail waits for the next login', async () => {
  await deliver('CAS-31002-OAUTH2');
  const revoked = createCasebot(configWithToken('ya29.revoked'), quiet);
  await expect(revoked.mailbox.open()).rejects.toThrow(/login refused/);
  await revoked.close();
  expect(introspected).toContain('ya29.revoked');

  const bot = createCasebot(configWithToken(VALID_TOKEN), quiet);
  await bot.mailbox.open();
  const report = await processMailbox(bot);
  await bot.close();
  expect(report.drafts.map((d) => d.caseId)).toContain('CAS-31002-OAUTH2');
}, 30000);
