// Microsoft 365's way, against a real Dovecot: casebot fetches its own OAuth2 tokens (client
// credentials) from a loopback token endpoint that issues three-second tokens, and Dovecot's
// oauth2 passdb checks each login's token with that endpoint's introspection. After the token
// expired, the server restarts: casebot logs in again with a fresh token and no pass is lost.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { processMailbox } from '../../src/app/process-mailbox';
import { checkConnection } from '../../src/cli/check-connection';
import { loadConfig } from '../../src/config/load';
import { createCasebot } from '../../src/main';
import type { Logger } from '../../src/ports/logger';
import { startDovecot, withImapClient, type DovecotServer } from '../helpers/dovecot';
import { buildMail } from '../helpers/mail-factory';
import { writeTestConfig } from '../helpers/test-config';
import { startTokenEndpoint, type TokenEndpoint } from '../helpers/token-endpoint';

const quiet: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };
let server: DovecotServer;
let endpoint: TokenEndpoint;

beforeAll(async () => {
  endpoint = await startTokenEndpoint({ clientId: 'casebot-app', clientSecret: 's3cret', lifetimeSeconds: 3 });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'casebot-oauth2-refresh-'));
  fs.chmodSync(dir, 0o755); // Dovecot's auth process (user dovecot) reads the file
  const settings = path.join(dir, 'dovecot-oauth2.conf.ext');
  fs.writeFileSync(
    settings,
    `introspection_mode = post\nintrospection_url = ${endpoint.introspectionUrl}\nforce_introspection = yes\nusername_attribute = username\nactive_attribute = active\nactive_value = true\n`,
    { mode: 0o644 },
  );
  server = await startDovecot({
    config: `auth_mechanisms = plain login oauthbearer xoauth2\npassdb {\n  driver = oauth2\n  mechanisms = xoauth2 oauthbearer\n  args = ${settings}\n}\n`,
  });
});
afterAll(async () => {
  await server?.stop();
  await endpoint?.stop();
});

async function deliver(caseId: string): Promise<void> {
  const raw = await buildMail({
    from: 'kehu@unit.example.cn',
    to: ['weiliang@cmgos.com'],
    subject: `[案例号: ${caseId} ] 升级失败`,
    date: new Date().toISOString(),
    messageId: `<refresh.${caseId}@unit.example.cn>`,
    text: '升级失败',
  });
  await withImapClient(server, (c) => c.append('INBOX', raw));
}

/** casebot with `oauth2` (client credentials) against the loopback endpoint, with this client secret. */
function oauth2Config(secret: string) {
  process.env.CASEBOT_TEST_OAUTH_SECRET = secret;
  return loadConfig(
    writeTestConfig({
      imap: {
        host: server.host,
        port: server.port,
        user: server.user,
        oauth2: { tokenUrl: endpoint.url, clientId: 'casebot-app', clientSecretEnv: 'CASEBOT_TEST_OAUTH_SECRET' },
      },
    }),
  );
}

test('a token that expired while casebot ran is replaced at the next login: both passes read and draft', async () => {
  const config = oauth2Config('s3cret');
  await deliver('CAS-32001-FRESH1');
  const bot = createCasebot(config, quiet);
  await bot.mailbox.open();
  const first = await processMailbox(bot);
  expect(first.drafts.map((d) => d.caseId)).toEqual(['CAS-32001-FRESH1']);
  const firstToken = endpoint.issued[endpoint.issued.length - 1]!;

  await new Promise((resolve) => setTimeout(resolve, 3500)); // the first token has expired
  expect(endpoint.valid(firstToken)).toBe(false);
  await server.restart(); // every connection drops: the next pass must log in again
  await deliver('CAS-32002-FRESH2');
  let second = await processMailbox(bot).catch(() => null);
  // A pass that met the dropped connection fails as a mailbox fault; the next one logs in again.
  if (!second || second.ingested === 0) second = await processMailbox(bot);
  await bot.close();
  expect(second.drafts.map((d) => d.caseId)).toEqual(['CAS-32002-FRESH2']);
  expect(endpoint.issued.length).toBeGreaterThanOrEqual(2);
  expect(endpoint.issued).not.toEqual([firstToken]);
}, 60000);

test('check --connect logs in with a token it fetched itself', async () => {
  const config = oauth2Config('s3cret');
  const lines = await checkConnection(config);
  expect(lines.filter((l) => !l.ok)).toEqual([]);
  expect(lines[0]!.text).toMatch(/logged in/);
}, 30000);

test('check --connect with a wrong client secret says the token could not be had', async () => {
  const config = oauth2Config('wrong');
  const lines = await checkConnection(config);
  expect(lines).toEqual([{ ok: false, text: expect.stringMatching(/^IMAP .*: no OAuth2 token \(/) }]);
}, 30000);
