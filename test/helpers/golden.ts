// Golden files: the exact text a customer or an engineer would read. `UPDATE_GOLDEN=1` rewrites
// them; the diff is reviewed in the commit like any code change.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { ParsedMail } from 'mailparser';

export const GOLDEN_DIR = path.join(__dirname, '../golden');

export function expectGolden(name: string, text: string): void {
  const file = path.join(GOLDEN_DIR, name);
  if (process.env.UPDATE_GOLDEN === '1') fs.writeFileSync(file, text);
  assert.equal(text, fs.readFileSync(file, 'utf8'), `${name} differs from its golden text (UPDATE_GOLDEN=1 rewrites it; read the diff)`);
}

/** A draft as the engineer sees it in the Drafts folder: the headers that matter, the attachments, the text. */
export function draftAsRead(mail: ParsedMail): string {
  const addresses = (a: ParsedMail['to']) => (a ? (Array.isArray(a) ? a : [a]).map((x) => x.text).join(', ') : '');
  return [
    `Subject: ${mail.subject ?? ''}`,
    `To: ${addresses(mail.to)}`,
    `Cc: ${addresses(mail.cc)}`,
    `Attachments: ${mail.attachments.map((a) => `${a.filename} (${a.size} bytes)`).join(', ') || '(none)'}`,
    '',
    mail.text ?? '',
  ].join('\n');
}

/** Every sentence of a draft at most once: a repeated one reads as a machine's. */
export function repeatedSentences(text: string): string[] {
  const seen = new Set<string>();
  const repeated = new Set<string>();
  for (const s of text
    .split(/(?<=[。！？])|\n/)
    .map((x) => x.trim())
    .filter((x) => x.length >= 8)) {
    if (seen.has(s)) repeated.add(s);
    seen.add(s);
  }
  return [...repeated];
}
