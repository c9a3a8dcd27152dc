// A broken template is found before it runs: `casebot check` lists every problem with file and
// line, and `run` refuses to start. A render that still fails sets that one case aside with its
// reason, where the engineer sees it, and the pass drafts every other case.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { processMailbox } from '../../src/app/process-mailbox';
import { loadConfig } from '../../src/config/load';
import { createCasebot } from '../../src/main';
import type { Logger } from '../../src/ports/logger';
import { tempMaildir } from '../helpers/temp-maildir';
import { writeTestConfig } from '../helpers/test-config';

const root = path.join(__dirname, '../..');
const bin = path.join(root, 'bin/casebot.js');
const quiet: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };

function brokenTemplates(): string {
  const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'casebot-templates-')), 'templates');
  fs.cpSync(path.join(root, 'templates'), dir, { recursive: true });
  const closure = path.join(dir, 'closure.hbs');
  fs.writeFileSync(closure, fs.readFileSync(closure, 'utf8').replace('{{/if}}', ''));
  const diagnosis = path.join(dir, 'diagnosis.hbs');
  fs.writeFileSync(diagnosis, fs.readFileSync(diagnosis, 'utf8').replace('{{> hotline}}', '{{> hotlines}}'));
  return dir;
}

test('check lists every template problem with file and line and exits 1; run will not start', () => {
  const templatesDir = brokenTemplates();
  const config = writeTestConfig({ maildir: tempMaildir(), extra: { templatesDir } });
  const check = spawnSync(process.execPath, [bin, 'check', '-c', config], { encoding: 'utf8', timeout: 60000 });
  expect(check.status).toBe(1);
  const diagnosisLine =
    fs
      .readFileSync(path.join(templatesDir, 'diagnosis.hbs'), 'utf8')
      .split('\n')
      .findIndex((l) => l.includes('{{> hotlines}}')) + 1;
  expect(check.stdout).toContain(`diagnosis.hbs:${diagnosisLine}: unknown partial "hotlines"`);
  expect(check.stdout).toMatch(/closure\.hbs:\d+: /);
  expect(check.stdout).toContain('2 template problems');
  const run = spawnSync(process.execPath, [bin, 'run', '--once', '-q', '-c', config], { encoding: 'utf8', timeout: 60000 });
  expect(run.status).toBe(1);
  expect(run.stderr).toContain('unknown partial "hotlines"');
});

test('a render that fails sets its case aside with the reason; every other case is drafted, and the next pass does not fail again', async () => {
  const mailbox = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'casebot-demo-')), 'mailbox');
  fs.cpSync(path.join(root, 'mailbox-fixtures/demo'), mailbox, { recursive: true });
  const bot = createCasebot(loadConfig(writeTestConfig({ maildir: mailbox })), quiet);
  // A fault no check can see (a helper throwing on odd data): diagnoses fail, the rest render.
  const render = bot.render;
  bot.render = (name, data) => {
    if (name === 'diagnosis') throw new Error('diagnosis.hbs: helper failed');
    return render(name, data);
  };
  try {
    await bot.mailbox.open();
    const first = await processMailbox(bot);
    expect(first.drafts.map((d) => d.kind).sort()).toEqual(['closure', 'scope-request']);
    expect(first.failed).toBe(2);
    const setAside = bot.store.listCases().flatMap((c) =>
      bot.store.events
        .list(c.caseId)
        .filter((e) => e.type === 'draft-failed')
        .map((e) => [c.caseId, e.detail.reason]),
    );
    expect(setAside.sort()).toEqual([
      ['CAS-06151-H2W9C6', 'diagnosis.hbs: helper failed'],
      ['CAS-06188-M3T7B2', 'diagnosis.hbs: helper failed'],
    ]);
    const digest = bot.store.digest.data(null, '2000-01-01T00:00:00Z', '2000-01-01T00:00:00Z');
    expect(digest.events.filter((e) => e.type === 'draft-failed')).toHaveLength(2);
    const second = await processMailbox(bot);
    expect(second.failed).toBe(0);
  } finally {
    await bot.close();
  }
});
