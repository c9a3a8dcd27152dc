// The built command line as a script or an engineer meets it: its version, exit codes (0 ok,
// 1 error, 2 usage, 3 analyze read nothing), one-line errors for a bad path or id, case ids in
// any letter case, counts in good English, and `backup` of a store while casebot runs.

import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { tempMaildir } from '../helpers/temp-maildir';
import { writeTestConfig } from '../helpers/test-config';
import { archiveMaildir, SEED_CASE } from '../memory/seed-thread';

const bin = path.join(__dirname, '../../bin/casebot.js');
const seedDir = path.join(__dirname, '../../mailbox-fixtures/seed-case');
let config: string;
let dir: string;

function casebot(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 60000 });
}

beforeAll(() => {
  const root = tempMaildir();
  fs.readdirSync(seedDir).forEach((f, i) => fs.copyFileSync(path.join(seedDir, f), path.join(root, 'new', `180000000${i}.M${i}P1.cli:2,`)));
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'casebot-cli-'));
  config = writeTestConfig({ maildir: root }, dir);
  const run = casebot('run', '--once', '-q', '-c', config);
  expect(run.status).toBe(0);
  expect(run.stdout).toContain('Read 4 new mails: 4 in case threads');
});

test('--version prints the version of package.json', () => {
  const r = casebot('--version');
  expect(r.status).toBe(0);
  expect(r.stdout.trim()).toBe(JSON.parse(fs.readFileSync(path.join(__dirname, '../../package.json'), 'utf8')).version);
});

test('a bad option, command or missing argument is a usage error: exit 2', () => {
  for (const args of [
    ['analyze', '--bogus', 'x'],
    ['bogus'],
    ['case'],
    ['analyze', 'README.md', '--format', 'pdf'],
    ['quarantine', 'replay', 'abc', '-c', config],
  ]) {
    const r = casebot(...args);
    expect([args, r.status]).toEqual([args, 2]);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  }
});

test('analyze: exit 3 when nothing in the input could be read, one line for a missing path; 0 for a file read', () => {
  const missing = path.join(dir, 'no-such-bundle.zip');
  const gone = casebot('analyze', missing);
  expect(gone.status).toBe(3);
  expect(gone.stderr).toBe(`casebot: no such file or folder: ${missing}\n`);

  const corrupt = path.join(dir, 'corrupt.zip');
  fs.writeFileSync(corrupt, 'not a zip at all');
  const r = casebot('analyze', corrupt, '--json');
  expect(r.status).toBe(3);
  // The report still says why: the code for scripts, the sentence for people.
  expect(JSON.parse(r.stdout).problems).toEqual([
    {
      code: 'UNKNOWN_FORMAT',
      file: 'corrupt.zip',
      text: '附件 corrupt.zip 无法读取：不是 zip、7z、rar 或 cab 格式的压缩包，或文件已损坏。',
    },
    { code: 'NO_FILES', text: '日志包中没有任何文件。' },
  ]);

  const notALog = casebot('analyze', path.join(__dirname, '../../README.md'), '--json');
  expect(notALog.status).toBe(0);
  expect(JSON.parse(notALog.stdout).verdict).toBe('not-setup-log');
});

test('a missing config file is one line, exit 1', () => {
  const r = casebot('case', SEED_CASE, '-c', path.join(dir, 'nope.yaml'));
  expect(r.status).toBe(1);
  expect(r.stderr).toBe(`casebot: no such config file: ${path.join(dir, 'nope.yaml')}\n`);
});

test('case ids in any letter case; an unknown one is "no such case", exit 1', () => {
  const r = casebot('case', SEED_CASE.toLowerCase(), '-c', config);
  expect(r.status).toBe(0);
  expect(r.stdout.startsWith(`${SEED_CASE}  open`)).toBe(true);

  const unknown = casebot('case', 'CAS-99999-ZZZZZZ', '-c', config);
  expect(unknown.status).toBe(1);
  expect(unknown.stderr).toBe('casebot: no such case: CAS-99999-ZZZZZZ\n');
  expect(casebot('similar', 'cas-99999-zzzzzz', '-c', config).stderr).toBe('casebot: no such case: CAS-99999-ZZZZZZ\n');
});

test('quarantine replay of an id that is not quarantined fails, naming it', () => {
  const r = casebot('quarantine', 'replay', '999', '-c', config);
  expect(r.status).toBe(1);
  expect(r.stderr).toBe('casebot: no quarantined mail with id 999\n');
});

test('digest --engineer: an unknown engineer fails in one line; a known one in any letter case is printed', () => {
  const r = casebot('digest', '--engineer', 'nobody@x.com', '-c', config);
  expect(r.status).toBe(1);
  expect(r.stderr).toBe('casebot: no such engineer: nobody@x.com (the config lists weiliang@cmgos.com)\n');
  const known = casebot('digest', '--engineer', 'WeiLiang@CMGOS.com', '-c', config);
  expect(known.status).toBe(0);
  expect(known.stdout).toContain('Wei Liang');
});

test('counts are singular for one: "1 case thread", "1 case in memory."', async () => {
  const archive = path.join(dir, 'archive');
  await archiveMaildir(archive, []);
  const learner = writeTestConfig({ maildir: tempMaildir() });
  const learn = casebot('learn', archive, '-c', learner);
  expect(learn.status).toBe(0);
  expect(learn.stdout).toContain('1 case thread; remembered 1. Memory holds 1 case.');
  const similar = casebot('similar', path.join(__dirname, '../../README.md'), '-c', learner);
  expect(similar.status).toBe(0);
  expect(similar.stdout).toMatch(/^1 case in memory\.$/m);
});

test('backup copies the store while casebot runs, never over an existing file', async () => {
  // casebot watching the mailbox, its store open, as under systemd.
  const running = spawn(process.execPath, [bin, 'run', '-q', '-c', config], { stdio: ['ignore', 'pipe', 'ignore'] });
  try {
    await new Promise<void>((resolve, reject) => {
      running.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('casebot on') && resolve());
      running.once('exit', (code) => reject(new Error(`casebot run exited ${code}`)));
    });
    const copy = path.join(dir, 'backup.sqlite');
    const r = casebot('backup', copy, '-c', config);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(`Backed up ${path.join(dir, 'casebot.sqlite')} to ${copy} (${fs.statSync(copy).size} bytes).\n`);
    const db = new Database(copy, { readonly: true });
    expect(db.prepare('SELECT case_id, status FROM cases').all()).toEqual([{ case_id: SEED_CASE, status: 'open' }]);
    db.close();

    const again = casebot('backup', copy, '-c', config);
    expect(again.status).toBe(1);
    expect(again.stderr).toBe(`casebot: ${copy} exists; casebot does not overwrite a file with a backup\n`);
  } finally {
    if (running.exitCode === null) {
      running.kill('SIGTERM');
      await new Promise((resolve) => running.once('exit', resolve));
    }
  }
}, 60000);
