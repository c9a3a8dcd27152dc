// Writes a throw-away casebot config for a test: the team of the seed case, a mailbox that is
// either a Dovecot on loopback or a Maildir folder, and a store in a temp folder.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { projectRoot } from '../../src/config/paths';

// From the project root, so the compiled copy (the mailbox bench runs from dist/) finds it too.
export const COLLECTOR_ZIP = path.join(projectRoot(), 'test/fixtures/collector/CMGELogCollector.zip');

export interface TestMailbox {
  /** One of passwordEnv (password login), accessTokenEnv (a fixed OAuth2 token) and oauth2 (tokens casebot fetches). */
  imap?: {
    host: string;
    port: number;
    user: string;
    passwordEnv?: string;
    accessTokenEnv?: string;
    oauth2?: { tokenUrl: string; clientId: string; clientSecretEnv: string };
    folders?: { inbox?: string; sent?: string; drafts?: string };
  };
  maildir?: string;
  smtpPort?: number;
  /** Extra top-level config keys (e.g. commands). */
  extra?: Record<string, unknown>;
}

export function writeTestConfig(mailbox: TestMailbox, dir = fs.mkdtempSync(path.join(os.tmpdir(), 'casebot-test-'))): string {
  const config = {
    mailbox: mailbox.imap
      ? {
          kind: 'imap',
          imap: { ...mailbox.imap, secure: false, pollSeconds: 1, idle: true },
        }
      : { kind: 'maildir', maildir: { path: mailbox.maildir, pollSeconds: 1 } },
    store: { path: path.join(dir, 'casebot.sqlite') },
    team: {
      name: 'CMGOS 技术支持中心',
      address: 'support@cmgos.com',
      hotline: '400-818-0055',
      website: 'www.cmgos.com',
      product: 'V2020-L',
    },
    // A stand-in for the vendor's collector: the drafts that ask for logs carry it.
    logCollector: { name: 'CMGELogCollector', attachment: COLLECTOR_ZIP },
    engineers: [{ name: 'Wei Liang', address: 'weiliang@cmgos.com', default: true }],
    portal: { name: 'CDUC', url: 'https://cduc.cmgos.com' },
    customers: [
      {
        name: '工行天津分行',
        domains: ['tj.icbc.example.cn'],
        engineer: 'weiliang@cmgos.com',
        contacts: [{ address: 'zhaoming@tj.icbc.example.cn', salutation: '赵先生' }],
        upload: { user: 'tianjin', passwordEnv: 'CASEBOT_TEST_PORTAL_TIANJIN' },
      },
    ],
  };
  if (mailbox.smtpPort) {
    Object.assign(config, {
      smtp: {
        host: '127.0.0.1',
        port: mailbox.smtpPort,
        secure: false,
        pacing: { maxPerWindow: 50, windowSeconds: 1, maxConcurrent: 2 },
        maxAttempts: 3,
        retrySeconds: 0.1,
      },
      commands: { trustedAuthservIds: ['mail.cmgos.com'] },
    });
  }
  Object.assign(config, mailbox.extra ?? {});
  const file = path.join(dir, 'casebot.yaml');
  fs.writeFileSync(file, YAML.stringify(config));
  return file;
}
