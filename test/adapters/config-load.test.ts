import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig } from '../../src/config/load';

const root = path.join(__dirname, '../..');

function write(yaml: string): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'casebot-config-')), 'c.yaml');
  fs.writeFileSync(file, yaml);
  return file;
}

const base = fs.readFileSync(path.join(root, 'config/casebot.example.yaml'), 'utf8');

test('the example and the default config load', () => {
  expect(
    loadConfig(path.join(root, 'config/casebot.example.yaml'), { CASEBOT_IMAP_PASSWORD: 'pw', CASEBOT_SMTP_PASSWORD: 'pw' }).mailbox.kind,
  ).toBe('imap');
  expect(loadConfig(path.join(root, 'config/default.yaml'), {}).mailbox.kind).toBe('maildir');
});

test('a wrong type names the key', () => {
  const file = write(base.replace('port: 993', 'port: "993"'));
  expect(() => loadConfig(file, { CASEBOT_IMAP_PASSWORD: 'pw', CASEBOT_SMTP_PASSWORD: 'pw' })).toThrow(
    /mailbox\.imap\.port: Expected number, received string/,
  );
});

test('an unknown key is named', () => {
  const file = write(base.replace('  hotline: 400-818-0055', '  hotline: 400-818-0055\n  hotlne: 1'));
  expect(() => loadConfig(file, { CASEBOT_IMAP_PASSWORD: 'pw', CASEBOT_SMTP_PASSWORD: 'pw' })).toThrow(
    /team: Unrecognized key\(s\) in object: 'hotlne'/,
  );
});

test('a missing secret names the variable, and a secret never shows in errors or JSON', () => {
  const file = write(base);
  expect(() => loadConfig(file, {})).toThrow(/mailbox\.imap\.passwordEnv: environment variable CASEBOT_IMAP_PASSWORD is not set/);
  const config = loadConfig(file, {
    CASEBOT_IMAP_PASSWORD: 's3cr3t-value',
    CASEBOT_PORTAL_TIANJIN: 'portal-pw',
    CASEBOT_SMTP_PASSWORD: 'smtp-pw',
  });
  expect(config.secrets.imapPassword?.reveal()).toBe('s3cr3t-value');
  const dump = JSON.stringify(config) + String(config.secrets.imapPassword) + require('node:util').inspect(config, { depth: 10 });
  expect(dump).not.toContain('s3cr3t-value');
  expect(dump).not.toContain('portal-pw');
  expect(dump).not.toContain('smtp-pw');
});

test('a broken YAML file is reported with the file', () => {
  const file = write('mailbox: [');
  expect(() => loadConfig(file)).toThrow(ConfigError);
});

test('an ANSI code page iconv-lite does not know is named with its key', () => {
  const file = write(base.replace('  ansiCodePage: gb18030', '  ansiCodePage: gbk-nonsense'));
  expect(() => loadConfig(file, { CASEBOT_IMAP_PASSWORD: 'pw', CASEBOT_SMTP_PASSWORD: 'pw' })).toThrow(
    /analysis\.ansiCodePage: an encoding name iconv-lite knows/,
  );
});

test('OAuth2 instead of a password: exactly one login, and the client secret is read from its variable', () => {
  const oauth2 =
    '    oauth2: { tokenUrl: "https://login.microsoftonline.com/t/oauth2/v2.0/token", clientId: app, clientSecretEnv: CASEBOT_OAUTH_CLIENT_SECRET }';
  const both = write(
    base.replace('    passwordEnv: CASEBOT_IMAP_PASSWORD     # password login, or…', `    passwordEnv: CASEBOT_IMAP_PASSWORD\n${oauth2}`),
  );
  expect(() => loadConfig(both, { CASEBOT_IMAP_PASSWORD: 'pw', CASEBOT_SMTP_PASSWORD: 'pw', CASEBOT_OAUTH_CLIENT_SECRET: 's' })).toThrow(
    /mailbox\.imap\.passwordEnv: set exactly one of/,
  );
  const only = write(base.replace('    passwordEnv: CASEBOT_IMAP_PASSWORD     # password login, or…', oauth2));
  expect(() => loadConfig(only, { CASEBOT_SMTP_PASSWORD: 'pw' })).toThrow(
    /mailbox\.imap\.oauth2\.clientSecretEnv: environment variable CASEBOT_OAUTH_CLIENT_SECRET is not set/,
  );
  const config = loadConfig(only, { CASEBOT_SMTP_PASSWORD: 'pw', CASEBOT_OAUTH_CLIENT_SECRET: 'oauth-secret-value' });
  expect(config.secrets.imapOAuth2?.clientSecret?.reveal()).toBe('oauth-secret-value');
  expect(JSON.stringify(config)).not.toContain('oauth-secret-value');
});
