// Case memory end to end on a Maildir with a real SMTP server on loopback: the seed thread is
// replayed with the engineer's real replies, then new cases arrive. A new BCD failure (another
// GUID) gets an internal note naming the seed case, its bcdedit fix and fixed_confirmed; a new
// Ensec64 failure gets the seed case too, but as advice of unknown outcome, never as a proven fix.

import fs from 'node:fs';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { processMailbox } from '../../src/app/process-mailbox';
import { loadConfig } from '../../src/config/load';
import { createCasebot, type Casebot } from '../../src/main';
import type { Logger } from '../../src/ports/logger';
import { buildBundleZip, type Failure } from '../helpers/bundle-factory';
import { buildMail, maildirFileName } from '../helpers/mail-factory';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink';
import { tempMaildir } from '../helpers/temp-maildir';
import { writeTestConfig } from '../helpers/test-config';
import { SEED_CASE, seedCustomerMail, seedEngineerReply } from '../memory/seed-thread';

const quiet: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };

let smtp: SmtpSink;
let root: string;
let bot: Casebot;
let delivered = 0;

/** Delivered at `date`: the mailbox's arrival time is what casebot records (e.g. when a case closed). */
function drop(raw: Buffer, date: string, folder: '' | '.Sent' = ''): void {
  delivered++;
  fs.writeFileSync(path.join(root, folder, folder ? 'cur' : 'new', maildirFileName(date, delivered, folder ? 'S' : '')), raw);
}

const SEED_ARRIVALS = ['2022-04-15T15:42:10+08:00', '2022-04-18T10:12:36+08:00', '2022-04-24T16:20:05+08:00', '2022-04-27T09:48:51+08:00'];
const REPLY_ARRIVALS = ['2022-04-15T17:15:38+08:00', '2022-04-19T17:23:15+08:00', '2022-04-25T10:31:57+08:00', '2022-04-27T11:18:53+08:00'];

async function newCase(caseId: string, failure: Failure): Promise<string> {
  const messageId = `<${caseId}.1@sd.ccb.example.cn>`;
  const zip = await buildBundleZip({ failure, noiseLines: 3000, seed: delivered, hostname: 'JN-PC0042' });
  drop(
    await buildMail({
      from: '李强 <liqiang@sd.ccb.example.cn>',
      to: ['weiliang@cmgos.com'],
      cc: ['support@cmgos.com'],
      subject: `[案例号: ${caseId} ] % 建行升级-济南分行终端升级回退分析 % 初次响应 CMIT:0001312`,
      date: '2024-03-04T09:30:00+08:00',
      messageId,
      text: '您好：\n济南分行终端升级V2020-L失败并回退，日志见附件，请协助分析。\n\n李强\n中国建设银行济南分行',
      attachments: [{ filename: 'CMGELogCollector_JN-PC0042_20240304.zip', content: zip, contentType: 'application/x-zip-compressed' }],
    }),
    `2024-03-04T09:30:${String(delivered).padStart(2, '0')}+08:00`,
  );
  await processMailbox(bot);
  return messageId.slice(1, -1);
}

/** A first mail without logs: the customer's words are all casebot has. */
async function newCaseWithoutLogs(caseId: string, text: string): Promise<string> {
  const messageId = `<${caseId}.1@sd.ccb.example.cn>`;
  drop(
    await buildMail({
      from: '李强 <liqiang@sd.ccb.example.cn>',
      to: ['weiliang@cmgos.com'],
      subject: `[案例号: ${caseId} ] % 建行升级-济南分行升级回退 % 初次响应 CMIT:0001313`,
      date: '2024-03-05T09:30:00+08:00',
      messageId,
      text,
    }),
    `2024-03-05T09:30:${String(delivered).padStart(2, '0')}+08:00`,
  );
  await processMailbox(bot);
  return messageId.slice(1, -1);
}

async function notesFor(caseId: string) {
  const mails = await Promise.all(
    smtp.received.filter((r) => r.to.includes('weiliang@cmgos.com')).map((r) => simpleParser(r.raw).then((m) => ({ m, to: r.to }))),
  );
  return mails.filter(({ m }) => (m.subject ?? '').includes('[内部参考]') && (m.subject ?? '').includes(caseId));
}

beforeAll(async () => {
  smtp = await startSmtpSink();
  root = tempMaildir();
  bot = createCasebot(loadConfig(writeTestConfig({ maildir: root, smtpPort: smtp.port })), quiet);
  await bot.mailbox.open();
  for (let step = 0; step < 4; step++) {
    drop(seedCustomerMail(step), SEED_ARRIVALS[step]!);
    await processMailbox(bot);
    drop(await seedEngineerReply(step), REPLY_ARRIVALS[step]!, '.Sent');
    await processMailbox(bot);
  }
}, 120000);

afterAll(async () => {
  await bot?.close();
  await smtp?.stop();
});

test('the seed thread is remembered per finding: Ensec64 advice given, outcome unknown; the BCD fix confirmed', () => {
  const memory = bot.memory.recall(SEED_CASE)!;
  expect(memory.fixText).toBe('删除出错的BCD配置信息后，升级系统成功。');
  const byRule = Object.fromEntries(memory.findings.map((f) => [f.rule, f]));
  expect(byRule['mig-apply-object']).toMatchObject({ adviceGiven: true, outcome: 'unknown' });
  expect(byRule['bcd-clone-failure']).toMatchObject({ adviceGiven: true, outcome: 'fixed_confirmed' });
  expect(byRule['bcd-clone-failure']!.advice).toContain('bcdedit /delete {725f2633-5298-49c7-9016-202d172da460}');
  expect(byRule['bcd-clone-failure']!.key).not.toContain('725f2633');
});

test('a new case with the same BCD failure under another GUID: an internal note naming the seed case, its fix and fixed_confirmed', async () => {
  const caseId = 'CAS-07001-B8D2X4';
  const logsMail = await newCase(caseId, { kind: 'bcd-clone', guid: '0b7d2e4f-1c3a-4e5b-9f60-7a8b9c0d1e2f' });
  const notes = await notesFor(caseId);
  expect(notes).toHaveLength(1);
  const { m: note, to } = notes[0]!;
  expect(to).toEqual(['weiliang@cmgos.com']);
  expect(note.inReplyTo).toBe(`<${logsMail}>`);
  expect(note.headers.get('x-casebot-loop')).toBeTruthy();
  expect(note.text).toContain(SEED_CASE);
  expect(note.text).toContain('bcdedit /delete {725f2633-5298-49c7-9016-202d172da460}');
  expect(note.text).toContain('fixed_confirmed');
  expect(note.text).toContain('删除出错的BCD配置信息后，升级系统成功。');
  expect(note.text).toContain('2022-04-27');
  expect(note.text).toMatch(/匹配原因：.*0xC0000024/);
  // The case's own draft says nothing of it.
  const draft = bot.store.drafts.live(caseId)!;
  expect(draft.kind).toBe('diagnosis');
  expect(draft.raw.toString('utf8')).not.toContain(SEED_CASE);
  expect(draft.bodyText).not.toContain('725f2633');
  // One note per analysis: another pass sends nothing more.
  await processMailbox(bot);
  expect(await notesFor(caseId)).toHaveLength(1);
});

test('a new case with the Ensec64 failure: the seed case is similar, but its outcome is unknown, never a proven fix', async () => {
  const caseId = 'CAS-07002-E6S4K2';
  await newCase(caseId, { kind: 'mig-registry', service: 'Ensec64', value: 'ImagePath', error: 5 });
  const notes = await notesFor(caseId);
  expect(notes).toHaveLength(1);
  const text = notes[0]!.m.text ?? '';
  expect(text).toContain(SEED_CASE);
  expect(text).toContain('结果：unknown');
  expect(text).toContain('当时给出的建议（未证实有效）');
  expect(text).not.toContain('fixed_confirmed');
  expect(text).not.toContain('bcdedit');
  expect(text).not.toContain('问题总结');
});

test('a new case with a failure nobody has seen gets no note', async () => {
  const caseId = 'CAS-07003-N0S1M9';
  await newCase(caseId, { kind: 'none' });
  expect(await notesFor(caseId)).toHaveLength(0);
});

test('a new case without logs whose customer quotes the code of the seed case: one note from the description, threaded to the first mail', async () => {
  const caseId = 'CAS-07004-D3S5C8';
  const first = await newCaseWithoutLogs(
    caseId,
    '您好：\n济南分行部分终端升级V2020-L到最后阶段时提示失败，错误代码 0x80004005，重启后又回到了原来的系统。\n日志稍后收集。\n\n李强\n中国建设银行济南分行',
  );
  const notes = await notesFor(caseId);
  expect(notes).toHaveLength(1);
  const { m: note } = notes[0]!;
  expect(note.inReplyTo).toBe(`<${first}>`);
  expect(note.text).toContain('尚无日志分析，客户的描述与以下历史案例相似');
  expect(note.text).toMatch(/匹配原因：相同代码 0x80004005\n/);
  expect(note.text).toContain(SEED_CASE);
  expect(note.text).toContain('删除出错的BCD配置信息后，升级系统成功。');
  const lookups = bot.store.events.list(caseId).filter((e) => e.type === 'memory-lookup');
  expect(lookups.map((e) => e.type === 'memory-lookup' && e.detail.analysisId)).toEqual([null]);
  // Once per case: another pass looks nothing up again.
  await processMailbox(bot);
  expect(await notesFor(caseId)).toHaveLength(1);
});

// One remembered case: its words cannot be told from any other mail's, so words alone find nothing.
test('a new case without logs about something else gets no note', async () => {
  const caseId = 'CAS-07005-P7R1N2';
  await newCaseWithoutLogs(caseId, '您好：\n营业部的打印机在新系统下无法打印，请协助。\n\n李强');
  expect(await notesFor(caseId)).toHaveLength(0);
});
