// The Quick start's job on the embedded demo Maildir: one pass leaves exactly one draft per
// demo case, each the right kind with the right facts, and a second pass adds nothing.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { processMailbox } from '../../src/app/process-mailbox';
import { loadConfig } from '../../src/config/load';
import { createCasebot } from '../../src/main';
import type { Logger } from '../../src/ports/logger';
import { draftAsRead, expectGolden, repeatedSentences } from '../helpers/golden';
import { writeTestConfig } from '../helpers/test-config';

const quiet: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };
const fixture = path.join(__dirname, '../../mailbox-fixtures/demo');

function snapshot(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of fs.readdirSync(d).sort()) {
      const full = path.join(d, name);
      if (fs.statSync(full).isDirectory()) walk(full);
      else out.push(`${path.relative(dir, full)} ${fs.statSync(full).size}`);
    }
  };
  walk(dir);
  return out;
}

test('one draft for each demo case, and nothing more on a second pass', async () => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'casebot-demo-'));
  const mailbox = path.join(work, 'mailbox');
  fs.cpSync(fixture, mailbox, { recursive: true });
  const before = snapshot(fixture);
  const file = writeTestConfig({ maildir: mailbox }, work);

  const bot = createCasebot(loadConfig(file), quiet);
  await bot.mailbox.open();
  const first = await processMailbox(bot);
  const second = await processMailbox(bot);
  await bot.close();

  expect(first.failed).toBe(0);
  expect(first.drafts.map((d) => [d.caseId, d.kind]).sort()).toEqual([
    ['CAS-06127-B5N8X3', 'closure'],
    ['CAS-06151-H2W9C6', 'diagnosis'],
    ['CAS-06188-M3T7B2', 'diagnosis'],
    ['CAS-06213-R8K2P4', 'scope-request'],
  ]);
  expect(second.drafts).toEqual([]);
  expect(second.ingested + second.unmatched).toBe(0);

  const draftsDir = path.join(mailbox, '.Drafts', 'cur');
  const drafts = await Promise.all(
    fs
      .readdirSync(draftsDir)
      .filter((n) => !n.startsWith('.'))
      .map(async (n) => {
        expect(n).toMatch(/:2,DS$/);
        return simpleParser(fs.readFileSync(path.join(draftsDir, n)));
      }),
  );
  expect(drafts).toHaveLength(4);
  const byCase = new Map(drafts.map((d) => [String(d.headers.get('x-casebot-case')), d]));
  expect(byCase.get('CAS-06188-M3T7B2')!.text).toContain('services\\Ensec64 [ImagePath]');
  expect(byCase.get('CAS-06188-M3T7B2')!.text).toContain('DSPClient');
  expect(byCase.get('CAS-06151-H2W9C6')!.text).toContain('bcdedit /delete {3f2a9c1e-8b47-4d21-a6f0-5c9e7d1b2a34}');
  expect(byCase.get('CAS-06127-B5N8X3')!.text).toContain('案例总结');
  expect(byCase.get('CAS-06127-B5N8X3')!.text).toContain('bcdedit /delete {b8e1d4c7-2f6a-4e93-9c05-7a1d3e8f6b52}');
  expect(byCase.get('CAS-06213-R8K2P4')!.text).toContain('陈静 您好：'); // not a configured contact: greeted by display name
  expect(snapshot(fixture)).toEqual(before);
  // The exact text of each, as the engineer opens it in Drafts.
  for (const [caseId, draft] of byCase) {
    expectGolden(`demo-${caseId}-${String(draft.headers.get('x-casebot-draft'))}.txt`, draftAsRead(draft));
    expect(repeatedSentences(draft.text ?? '')).toEqual([]);
  }
});
