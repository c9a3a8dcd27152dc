// `casebot learn` on an archive of closed threads (the seed case with the engineer's real
// replies, and two other customers' cases), run twice: each case is remembered once. Then the
// engineer's memory commands on a new case, and the safety rule: no draft, whatever made it,
// carries another case's id, customer, organisation or log text.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { processMailbox } from '../../src/app/process-mailbox';
import { main } from '../../src/cli/main';
import { loadConfig } from '../../src/config/load';
import { createCasebot, type Casebot } from '../../src/main';
import type { DraftStatus } from '../../src/ports/case-store';
import type { Logger } from '../../src/ports/logger';
import { buildBundleZip } from '../helpers/bundle-factory';
import { commandMail } from '../helpers/engineer-mail';
import { buildMail } from '../helpers/mail-factory';
import { tempMaildir } from '../helpers/temp-maildir';
import { writeTestConfig } from '../helpers/test-config';
import { archiveMaildir, SEED_CASE, type OtherThread } from '../memory/seed-thread';

const quiet: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };
const OTHERS: OtherThread[] = [
  {
    caseId: 'CAS-05873-Q2R7T1',
    customer: '王芳 <wangfang@zjhrss.example.cn>',
    organisation: '浙江人社厅',
    failure: { kind: 'mig-registry', service: '360FsFlt', value: 'DisplayName', error: 5 },
    description: '人社厅终端升级迁移失败回退，装有360天擎。',
    summary: '卸载360天擎终端安全客户端后，升级系统成功。',
  },
  {
    caseId: 'CAS-05911-L4M8N6',
    customer: '刘洋 <liuyang@gd.abchina.example.cn>',
    organisation: '农行广州分行',
    failure: { kind: 'bcd-clone', guid: '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d' },
    description: '广州分行终端升级到最后阶段回退。',
    summary: '删除出错的BCD配置信息后，升级系统成功。',
  },
];

let archive: string;
let configFile: string;
let root: string;
let bot: Casebot;
let output = '';

async function learn(...args: string[]): Promise<number> {
  const write = process.stdout.write.bind(process.stdout);
  const writeErr = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((chunk: string) => ((output += chunk), true)) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string) => ((output += chunk), true)) as typeof process.stderr.write;
  try {
    return await main(['node', 'casebot', 'learn', ...(args.length > 0 ? args : [archive]), '-c', configFile]);
  } finally {
    process.stdout.write = write;
    process.stderr.write = writeErr;
  }
}

let delivered = 0;
function drop(raw: Buffer): void {
  delivered++;
  fs.writeFileSync(path.join(root, 'new', `${1900000000 + delivered}.M${delivered}P1.test:2,`), raw);
}

beforeAll(async () => {
  archive = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'casebot-archive-')), 'archive');
  await archiveMaildir(archive, OTHERS);
  root = tempMaildir();
  configFile = writeTestConfig({ maildir: root, extra: { commands: { trustedAuthservIds: ['mail.cmgos.com'] } } });
}, 120000);

afterAll(async () => {
  await bot?.close();
});

test('casebot learn, run twice, remembers each closed case once, with per-finding outcomes', async () => {
  expect(await learn()).toBe(0);
  expect(await learn()).toBe(0);
  expect(output).toContain('3 case threads; remembered 3');
  expect(output).toMatch(/\[#{30}\] 3\/3/);
  bot = createCasebot(loadConfig(configFile), quiet);
  expect(bot.memory.size()).toBe(3);
  const seed = bot.memory.recall(SEED_CASE)!;
  expect(Object.fromEntries(seed.findings.map((f) => [f.rule, f.outcome]))).toEqual({
    'mig-apply-object': 'unknown',
    'bcd-clone-failure': 'fixed_confirmed',
  });
  expect(bot.memory.recall('CAS-05873-Q2R7T1')!.findings.map((f) => [f.entities.includes('service:360fsflt'), f.outcome])).toEqual([
    [true, 'fixed_confirmed'],
  ]);
});

test('casebot similar on a bundle names the past cases; on an unknown failure it says plainly there is none', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'casebot-similar-'));
  const bcd = path.join(dir, 'bcd.zip');
  fs.writeFileSync(
    bcd,
    await buildBundleZip({ failure: { kind: 'bcd-clone', guid: '11111111-2222-4333-8444-555555555555' }, noiseLines: 1000 }),
  );
  const none = path.join(dir, 'none.zip');
  fs.writeFileSync(none, await buildBundleZip({ failure: { kind: 'none' }, noiseLines: 1000 }));
  output = '';
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string) => ((output += chunk), true)) as typeof process.stdout.write;
  try {
    await main(['node', 'casebot', 'similar', bcd, '-c', configFile]);
    expect(output).toContain(SEED_CASE);
    expect(output).toContain('CAS-05911-L4M8N6');
    expect(output).toContain('fixed_confirmed');
    output = '';
    await main(['node', 'casebot', 'similar', none, '-c', configFile]);
    expect(output).toContain('无足够相似的历史案例');
  } finally {
    process.stdout.write = write;
  }
});

test('/useful feeds the ranking; /fixed-by names the finding that was fixed, /close remembers it', async () => {
  await bot.mailbox.open();
  const caseId = 'CAS-07101-S8F3V5';
  const subject = `[案例号: ${caseId} ] % 苏州税务升级-办公终端升级失败 %`;
  const zip = await buildBundleZip({ failure: { kind: 'bcd-clone', guid: '2c3d4e5f-6a7b-4c8d-9e0f-1a2b3c4d5e6f' }, noiseLines: 1500 });
  drop(
    await buildMail({
      from: '陈静 <chenjing@suzhou.tax.example.cn>',
      to: ['weiliang@cmgos.com'],
      subject,
      date: '2024-05-06T10:00:00+08:00',
      messageId: `<${caseId}.1@suzhou.tax.example.cn>`,
      text: '您好：\n办公终端升级失败，日志见附件。\n\n陈静\n苏州市税务局',
      attachments: [{ filename: 'logs.zip', content: zip }],
    }),
  );
  await processMailbox(bot);
  const lookup = bot.store.events.list(caseId).find((e) => e.type === 'memory-lookup')!;
  expect((lookup.detail.similar as { caseId: string }[]).map((s) => s.caseId)).toEqual(
    expect.arrayContaining([SEED_CASE, 'CAS-05911-L4M8N6']),
  );

  drop(await commandMail(`回复: ${subject} /useful ${SEED_CASE}`));
  drop(await commandMail(`回复: ${subject} /fixed-by 9`));
  drop(await commandMail(`回复: ${subject} /fixed-by bcd-clone-failure /close 已提供删除BCD启动项的方法`));
  await processMailbox(bot);
  expect(bot.store.events.list(caseId).filter((e) => e.type === 'memory-feedback')).toHaveLength(1);
  expect(bot.store.events.list(null).some((e) => e.type === 'command' && e.detail.name === 'fixed-by' && e.detail.arg === '9')).toBe(true);
  expect(
    bot.store.events
      .list(caseId)
      .filter((e) => e.type === 'fixed-by')
      .map((e) => e.detail.rule),
  ).toEqual(['bcd-clone-failure']);
  // Named by the engineer, but nobody confirmed the upgrade worked.
  expect(bot.memory.recall(caseId)!.findings.map((f) => f.outcome)).toEqual(['fixed_unconfirmed']);
  // The feedback is counted on the remembered case, where the ranking reads it.
  const again = bot.memory.candidates({ findings: bot.memory.recall(caseId)!.findings, textTokens: [] }, 10);
  expect(again.candidates.find((c) => c.memory.caseId === SEED_CASE)!.useful).toBe(1);
});

test('safety: no draft contains another case id, customer, organisation or log text', () => {
  const others: Record<string, string[]> = {
    [SEED_CASE]: [SEED_CASE, '工行', '天津分行', '赵明', '赵先生', '725f2633', 'Ensec64', 'DSPClient'],
    'CAS-05873-Q2R7T1': ['CAS-05873-Q2R7T1', '王芳', '人社厅', '360FsFlt', '360天擎'],
    'CAS-05911-L4M8N6': ['CAS-05911-L4M8N6', '刘洋', '农行', '广州分行', '9a8b7c6d'],
  };
  const statuses: DraftStatus[] = ['pending', 'appending', 'live', 'sent', 'edited', 'retiring', 'retired'];
  const drafts = statuses.flatMap((s) => bot.store.drafts.withStatus(s));
  expect(drafts.length).toBeGreaterThan(0);
  for (const draft of drafts) {
    const text = `${draft.raw.toString('utf8')}\n${draft.bodyText}`;
    for (const [caseId, marks] of Object.entries(others)) {
      if (caseId === draft.caseId) continue;
      for (const mark of marks)
        expect({ draft: draft.caseId, kind: draft.kind, contains: text.includes(mark) ? mark : null }).toEqual({
          draft: draft.caseId,
          kind: draft.kind,
          contains: null,
        });
    }
  }
});

test('casebot learn --normal remembers the line templates of successful runs, once', async () => {
  const success = path.join(__dirname, '../fixtures/real-logs/24h2-success-a');
  output = '';
  expect(await learn('--normal', success)).toBe(0);
  const added = Number(/(\d+) new templates of successful runs/.exec(output)?.[1]);
  expect(added).toBeGreaterThan(10);
  output = '';
  expect(await learn('--normal', success)).toBe(0);
  expect(output).toContain(' 0 new templates of successful runs');
});
