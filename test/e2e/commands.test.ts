// Each command, on a Maildir mailbox with a real SMTP server process on loopback.

import fs from 'node:fs';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { processMailbox } from '../../src/app/process-mailbox';
import { loadConfig } from '../../src/config/load';
import { createCasebot, type Casebot } from '../../src/main';
import type { Logger } from '../../src/ports/logger';
import { commandMail } from '../helpers/engineer-mail';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink';
import { tempMaildir } from '../helpers/temp-maildir';
import { writeTestConfig } from '../helpers/test-config';

const quiet: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };
const seed = (name: string) => fs.readFileSync(path.join(__dirname, '../../mailbox-fixtures/seed-case', name));
const CASE = 'CAS-06079-G5K3W1';
const SUBJECT = `回复: [案例号: ${CASE} ]`;

let smtp: SmtpSink;
let root: string;
let bot: Casebot;
let delivered = 0;

function drop(raw: Buffer): void {
  // Delivery order is the file name order: seconds since 2030 keep it after the fixtures.
  fs.writeFileSync(path.join(root, 'new', `${1900000000 + ++delivered}.M${delivered}P1.test:2,`), raw);
}

async function run(subject: string): Promise<string> {
  const before = smtp.received.length;
  drop(await commandMail(`${SUBJECT} ${subject}`));
  await processMailbox(bot);
  const replies = smtp.received.slice(before).filter((r) => r.to.includes('weiliang@cmgos.com'));
  expect(replies).toHaveLength(1);
  return (await simpleParser(replies[0]!.raw)).text ?? '';
}

const drafts = () => fs.readdirSync(path.join(root, '.Drafts', 'cur')).filter((n) => !n.startsWith('.'));
const draftText = async () => (await simpleParser(fs.readFileSync(path.join(root, '.Drafts', 'cur', drafts()[0]!)))).text ?? '';

beforeAll(async () => {
  smtp = await startSmtpSink();
  root = tempMaildir();
  bot = createCasebot(loadConfig(writeTestConfig({ maildir: root, smtpPort: smtp.port })), quiet);
  await bot.mailbox.open();
  drop(seed('01-opening.eml'));
  drop(seed('02-logs-ensec64.eml'));
  await processMailbox(bot);
});

afterAll(async () => {
  await bot?.close();
  await smtp?.stop();
});

test('/note and /status: the timeline and the latest findings come back', async () => {
  expect(await run('/note 已电话联系赵先生')).toContain('备注已记录');
  const status = await run('/status');
  expect(status).toContain(`案例 ${CASE}（处理中）`);
  expect(status).toContain('备注（weiliang@cmgos.com）：已电话联系赵先生');
  expect(status).toContain('mig-apply-object');
});

test('/logs with a reason replaces the draft; /scope makes the scope draft', async () => {
  expect(await run('/logs 请在出现问题的那台电脑上重新收集')).toContain('重新收集日志');
  expect(drafts()).toHaveLength(1);
  expect(await draftText()).toContain('请在出现问题的那台电脑上重新收集');
  await run('/scope');
  expect(drafts()).toHaveLength(1);
  expect(await draftText()).toContain('问题定义');
});

test('/diagnose reads the newest bundle again', async () => {
  expect(await run('/diagnose')).toContain('找到 1 个问题');
  expect(await draftText()).toContain('Ensec64');
});

test('/discard removes the draft', async () => {
  expect(await run('/discard')).toContain('草稿已丢弃');
  expect(drafts()).toHaveLength(0);
});

test('/snooze, /close, /reopen', async () => {
  expect(await run('/snooze 3')).toContain('提醒已暂停到');
  expect(bot.store.getCase(CASE)!.snoozedUntil).toBeTruthy();
  await run('/close 卸载DSPClient后升级成功');
  expect(bot.store.getCase(CASE)!.status).toBe('closed');
  expect(await draftText()).toContain('问题总结：\n卸载DSPClient后升级成功');
  await run('/reopen');
  expect(bot.store.getCase(CASE)!.status).toBe('open');
  expect(bot.store.getCase(CASE)!.snoozedUntil).toBeNull();
});

test('/help, an unknown command and a bad argument are answered with what was wrong', async () => {
  expect(await run('/help')).toContain('/snooze');
  const reply = await run('/clsoe /snooze soon');
  expect(reply).toContain('不认识的命令 /clsoe');
  expect(reply).toContain('/snooze 需要 1 到 365 之间的天数');
  expect(reply).toContain('可用的命令');
});

test('a command mail is not part of the conversation: no draft answers it', async () => {
  const view = bot.store.loadCaseView(CASE);
  expect(view.messages.every((m) => !m.messageId.startsWith('command.'))).toBe(true);
});

test('casebot writes to one engineer at most the daily cap, then records that it stopped', async () => {
  const capRoot = tempMaildir();
  const capped = createCasebot(
    loadConfig(
      writeTestConfig({
        maildir: capRoot,
        smtpPort: smtp.port,
        extra: { commands: { trustedAuthservIds: ['mail.cmgos.com'], dailyCapPerRecipient: 2 } },
      }),
    ),
    quiet,
  );
  await capped.mailbox.open();
  const before = smtp.received.length;
  for (let i = 0; i < 3; i++) {
    fs.writeFileSync(path.join(capRoot, 'new', `${1950000000 + i}.M${i}P1.cap:2,`), await commandMail(`${SUBJECT} /help`));
  }
  await processMailbox(capped);
  expect(smtp.received.slice(before).filter((r) => r.to.includes('weiliang@cmgos.com'))).toHaveLength(2);
  expect(capped.store.events.list(null).filter((e) => e.type === 'engineer-mail-capped')).toHaveLength(1);
  await capped.close();
});
