// Crash consistency: casebot killed with SIGKILL at 50 random points while it works through a
// thread-heavy mailbox, restarted each time, must end exactly where an uninterrupted run ends:
// every mail handled once, one draft per case that needs one, none for a case that needs none,
// the Drafts folder matching the store, and the store intact. SIGTERM stops it cleanly.

import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { busyMailbox } from '../helpers/busy-mailbox';
import { writeTestConfig } from '../helpers/test-config';

const bin = path.join(__dirname, '../../bin/casebot.js');
const KILLS = 50;

interface Outcome {
  messages: number;
  liveDrafts: string[];
  draftFiles: string[];
  integrity: string;
  pending: number;
}

function outcome(root: string, store: string): Outcome {
  const db = new Database(store, { readonly: true });
  const rows = db
    .prepare("SELECT case_id, kind, based_on, message_id FROM drafts WHERE status IN ('pending', 'appending', 'live') ORDER BY case_id")
    .all() as Record<string, string>[];
  const result: Outcome = {
    messages: (db.prepare('SELECT COUNT(*) AS n FROM messages').get() as { n: number }).n,
    liveDrafts: rows.map((r) => `${r.case_id} ${r.kind} ${r.based_on}`),
    draftFiles: fs
      .readdirSync(path.join(root, '.Drafts', 'cur'))
      .filter((f) => !f.startsWith('.'))
      .map((f) => /^message-id:\s*<([^>]+)>/im.exec(fs.readFileSync(path.join(root, '.Drafts', 'cur', f), 'latin1'))![1]!)
      .sort(),
    integrity: (db.prepare('PRAGMA integrity_check').get() as { integrity_check: string }).integrity_check,
    pending: (db.prepare("SELECT COUNT(*) AS n FROM drafts WHERE status IN ('pending', 'appending')").get() as { n: number }).n,
  };
  expect(result.draftFiles).toEqual(rows.map((r) => r.message_id).sort());
  db.close();
  return result;
}

function runOnce(config: string): void {
  const r = spawnSync(process.execPath, [bin, 'run', '--once', '-q', '-c', config], { timeout: 120000, encoding: 'utf8' });
  expect(r.stderr).not.toMatch(/ error /);
  expect(r.status).toBe(0);
}

test(`${KILLS} SIGKILLs at random points change nothing in the end`, async () => {
  const { root, mails } = await busyMailbox(40);
  const work = path.dirname(root);
  const reference = path.join(work, 'reference');
  fs.cpSync(root, reference, { recursive: true });
  const refConfig = writeTestConfig({ maildir: reference }, fs.mkdtempSync(path.join(work, 'ref-')));
  runOnce(refConfig);
  const expected = outcome(reference, path.join(path.dirname(refConfig), 'casebot.sqlite'));
  expect(expected.messages).toBe(mails);
  expect(expected.liveDrafts.length).toBeGreaterThan(20);

  const config = writeTestConfig({ maildir: root }, fs.mkdtempSync(path.join(work, 'crash-')));
  let rand = 7;
  const next = () => (rand = (rand * 48271) % 2147483647) / 2147483647;
  let killedMidway = 0;
  for (let i = 0; i < KILLS; i++) {
    const child = spawn(process.execPath, [bin, 'run', '--once', '-q', '-c', config], { stdio: 'ignore' });
    const delay = 150 + Math.floor(next() * 900);
    const exited = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        resolve(false);
      }, delay);
      child.on('exit', () => {
        clearTimeout(timer);
        resolve(true);
      });
    });
    if (!exited) {
      killedMidway++;
      await new Promise((r) => child.on('exit', r));
    }
  }
  runOnce(config);
  const got = outcome(root, path.join(path.dirname(config), 'casebot.sqlite'));
  expect(killedMidway).toBeGreaterThanOrEqual(20);
  expect(got.integrity).toBe('ok');
  expect(got.pending).toBe(0);
  expect(got.messages).toBe(mails);
  expect(got.liveDrafts).toEqual(expected.liveDrafts);
  expect(got.draftFiles.length).toBe(expected.draftFiles.length);
}, 240000);

test('SIGTERM stops a watching casebot cleanly', async () => {
  const { root } = await busyMailbox(5, 3);
  const config = writeTestConfig({ maildir: root });
  const child = spawn(process.execPath, [bin, 'run', '-q', '-c', config], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  for (let i = 0; i < 100 && !out.includes('Draft'); i++) await new Promise((r) => setTimeout(r, 100));
  child.kill('SIGTERM');
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  expect(code).toBe(0);
  const got = outcome(root, path.join(path.dirname(config), 'casebot.sqlite'));
  expect(got.integrity).toBe('ok');
  expect(got.pending).toBe(0);
}, 60000);
