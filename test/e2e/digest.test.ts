// The digest on a store with a case in every state: the right sections and counts, an HTML
// mail that a real Chromium renders (screenshot kept in test-artifacts/), and the schedule
// firing once per slot across a restart.

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { SqliteCaseStore } from '../../src/adapters/sqlite/sqlite-store';
import { processMailbox } from '../../src/app/process-mailbox';
import { makeDigest } from '../../src/app/send-digest';
import { loadConfig } from '../../src/config/load';
import { createCasebot } from '../../src/main';
import type { Logger } from '../../src/ports/logger';
import { seedDigestStore } from '../helpers/digest-seed';
import { startSmtpSink } from '../helpers/smtp-sink';
import { tempMaildir } from '../helpers/temp-maildir';
import { writeTestConfig } from '../helpers/test-config';

const quiet: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };
const now = new Date('2026-11-25T01:00:00Z'); // Wednesday 09:00 in Shanghai
const artifacts = path.join(__dirname, '../../test-artifacts');

function seededBot(extra: Record<string, unknown> = {}, smtpPort?: number) {
  const root = tempMaildir();
  const file = writeTestConfig({
    maildir: root,
    ...(smtpPort ? { smtpPort } : {}),
    extra: { digest: { time: '08:30', timezone: 'Asia/Shanghai', reminderDays: 3, staleDays: 14 }, ...extra },
  });
  const config = loadConfig(file);
  const store = new SqliteCaseStore(config.store.path);
  seedDigestStore(store, now);
  store.close();
  return { file, root };
}

test('every section, with the right counts', () => {
  const { file } = seededBot();
  const bot = createCasebot(loadConfig(file), quiet, { clock: () => now });
  try {
    const { view, rendered } = makeDigest(bot, null, 'support@cmgos.com');
    expect(view.counts).toEqual({
      open: 6,
      needsReply: 2,
      draftsAwaiting: 1,
      waiting: 4,
      overdue: 2,
      stale: 1,
      closed: 1,
      unmatched: 1,
      problems: 3,
    });
    expect(view.needsReply.map((c) => c.caseId)).toEqual(['CAS-00001-NEEDSR', 'CAS-00002-DRAFTA']);
    expect(view.overdue.map((c) => c.caseId)).toEqual(['CAS-00006-STALEC', 'CAS-00004-REMIND']);
    expect(view.stale.map((c) => c.caseId)).toEqual(['CAS-00006-STALEC']);
    expect(view.closed.map((c) => c.caseId)).toEqual(['CAS-00007-CLOSED']);
    expect(view.draftsAwaiting[0]!.draft).toBe('诊断，已等待 5 小时');
    expect(view.needsReply[1]!.finding).toBe('BCD 启动项 {x} 损坏');
    expect(view.ageChart.map((b) => b.count)).toEqual([0, 2, 1, 2, 1]);
    expect(view.categoryChart).toEqual([
      { label: '未分析', count: 5, width: 100 },
      { label: '启动配置', count: 1, width: 20 },
    ]);
    expect(rendered.text).toContain('== 需要提醒客户 ==');
    expect(rendered.text).toContain('日志无法使用：附件 logs.7z 是 .7z 格式的压缩包');
    // A coded problem is told in its problems.yaml sentence and counted by code; an old stored sentence as it was.
    expect(rendered.text).toContain('附件 secret.zip 无法读取：压缩包已加密，请不要设置密码，重新压缩后发送。');
    expect(view.problemKinds).toEqual([
      { code: 'ENCRYPTED', count: 1 },
      { code: 'LEGACY', count: 1 },
    ]);
    expect(rendered.text).toContain('按类型：ENCRYPTED 1，LEGACY 1');
    expect(rendered.html).toContain('CAS-00006-STALEC');
    expect(rendered.html).not.toContain('<script');
  } finally {
    void bot.close();
  }
});

test('the HTML digest renders in headless Chromium (screenshot kept as a test artifact)', () => {
  const { file } = seededBot();
  const bot = createCasebot(loadConfig(file), quiet, { clock: () => now });
  const { rendered } = makeDigest(bot, null, 'support@cmgos.com');
  void bot.close();
  fs.mkdirSync(artifacts, { recursive: true });
  const html = path.join(artifacts, 'digest.html');
  const png = path.join(artifacts, 'digest.png');
  fs.writeFileSync(html, rendered.html);
  fs.rmSync(png, { force: true });
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'casebot-chromium-'));
  execFileSync(
    'chromium',
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      `--user-data-dir=${profile}`,
      '--hide-scrollbars',
      '--window-size=720,1600',
      `--screenshot=${png}`,
      `file://${html}`,
    ],
    { stdio: 'ignore', timeout: 60000 },
  );
  const size = fs.statSync(png).size;
  expect(size).toBeGreaterThan(20000);
});

test('the scheduled digest goes out once per slot, across a restart', async () => {
  const smtp = await startSmtpSink();
  try {
    const { file } = seededBot({}, smtp.port);
    const digests = async () =>
      (await Promise.all(smtp.received.map((r) => simpleParser(r.raw)))).filter((m) => m.subject?.startsWith('casebot 每日摘要'));
    for (const at of [now, new Date(now.getTime() + 60000)]) {
      const bot = createCasebot(loadConfig(file), quiet, { clock: () => at });
      await bot.mailbox.open();
      await processMailbox(bot);
      await bot.close();
    }
    const sent = await digests();
    expect(sent.map((m) => (m.to as { value: { address: string }[] }).value[0]!.address).sort()).toEqual([
      'support@cmgos.com',
      'weiliang@cmgos.com',
    ]);
    expect(sent[0]!.html).toContain('每日摘要');
    // The next working day is a new slot.
    const tomorrow = new Date(now.getTime() + 86400000);
    const bot = createCasebot(loadConfig(file), quiet, { clock: () => tomorrow });
    await bot.mailbox.open();
    await processMailbox(bot);
    await bot.close();
    expect(await digests()).toHaveLength(4);
  } finally {
    await smtp.stop();
  }
});
