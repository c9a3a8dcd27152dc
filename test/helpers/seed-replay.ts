// Replays the seed thread (mailbox-fixtures/seed-case) through casebot on a throw-away Maildir:
// each customer mail is delivered in turn, a pass runs, and the engineer sends casebot's draft
// as it is (the file moves from .Drafts to .Sent, as a mail client does on Send).

import fs from 'node:fs';
import path from 'node:path';
import { simpleParser, type ParsedMail } from 'mailparser';
import { runPass } from './run-pass';
import { tempMaildir } from './temp-maildir';
import { writeTestConfig } from './test-config';

export const SEED_DIR = path.join(__dirname, '../../mailbox-fixtures/seed-case');
export const SEED_MAILS = ['01-opening.eml', '02-logs-ensec64.eml', '03-logs-bcd.eml', '04-confirm-success.eml'];

export interface SeedReplay {
  root: string;
  configFile: string;
  /** Delivers a mail file into INBOX/new under a name that sorts after everything before it. */
  deliver(raw: Buffer, folder?: '' | '.Sent'): void;
  pass(): Promise<void>;
  /** The drafts now in .Drafts, parsed, oldest first. */
  drafts(): Promise<{ file: string; mail: ParsedMail }[]>;
  /** Sends the one draft as it is, or with `edit` applied to its raw text. */
  sendDraft(edit?: (raw: string) => string): Promise<ParsedMail>;
}

export function seedReplay(extraConfig: Record<string, unknown> = {}): SeedReplay {
  const root = tempMaildir();
  process.env.CASEBOT_TEST_PORTAL_TIANJIN = 'tianjin';
  const configFile = writeTestConfig({ maildir: root, extra: extraConfig });
  // Maildir names start with the delivery second: one second apart keeps the thread in order.
  let second = 1_650_000_000;
  const deliver = (raw: Buffer, folder: '' | '.Sent' = '') => {
    second += 60;
    fs.writeFileSync(path.join(root, folder, folder ? 'cur' : 'new', `${second}.M1P1.seed${folder ? ':2,S' : ''}`), raw);
  };
  const draftFiles = () =>
    fs
      .readdirSync(path.join(root, '.Drafts/cur'))
      .sort()
      .map((n) => path.join(root, '.Drafts/cur', n));
  const replay: SeedReplay = {
    root,
    configFile,
    deliver,
    async pass() {
      await runPass(configFile);
    },
    async drafts() {
      return Promise.all(draftFiles().map(async (file) => ({ file, mail: await simpleParser(fs.readFileSync(file)) })));
    },
    async sendDraft(edit) {
      const files = draftFiles();
      if (files.length !== 1) throw new Error(`expected one draft, found ${files.length}`);
      const raw = fs.readFileSync(files[0]!, 'utf8');
      fs.unlinkSync(files[0]!);
      const sent = edit ? edit(raw) : raw;
      deliver(Buffer.from(sent), '.Sent');
      return simpleParser(sent);
    },
  };
  return replay;
}

export function seedMail(name: string): Buffer {
  return fs.readFileSync(path.join(SEED_DIR, name));
}
