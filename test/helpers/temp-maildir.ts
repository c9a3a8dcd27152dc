// A throw-away Maildir++ folder and a way to deliver mail into it, as an MTA would.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildMail, maildirFileName, type MailSpec } from './mail-factory';

export function tempMaildir(): string {
  const root = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'casebot-maildir-')), 'mailbox');
  for (const folder of ['', '.Sent', '.Drafts'])
    for (const sub of ['cur', 'new', 'tmp']) fs.mkdirSync(path.join(root, folder, sub), { recursive: true });
  return root;
}

let sequence = 0;

export async function deliver(root: string, spec: MailSpec, folder: '' | '.Sent' = ''): Promise<void> {
  const name = maildirFileName(spec.date, ++sequence, folder === '.Sent' ? 'S' : '');
  fs.writeFileSync(path.join(root, folder, folder === '.Sent' ? 'cur' : 'new', name), await buildMail(spec));
}
