// The seed case run to closure by an engineer using only the mailbox (Dovecot) and casebot's
// SMTP (a real SMTP server process on loopback): /send, an edited reply sent from the client,
// /close; and the commands of a stranger and of an impostor changing nothing.

import fs from 'node:fs';
import path from 'node:path';
import { ImapFlow } from 'imapflow';
import { simpleParser } from 'mailparser';
import type { Casebot } from '../../src/main';
import { startDovecot, type DovecotServer, connectImapClient } from '../helpers/dovecot';
import { commandMail } from '../helpers/engineer-mail';
import { buildMail } from '../helpers/mail-factory';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink';
import { runPass, withBot as withBotOn } from '../helpers/run-pass';
import { writeTestConfig } from '../helpers/test-config';

const seed = (name: string) => fs.readFileSync(path.join(__dirname, '../../mailbox-fixtures/seed-case', name));
const CASE = 'CAS-06079-G5K3W1';
const SUBJECT = `回复: [案例号: ${CASE} ] % 工行升级-天津分行升级报错回退分析 % 初次响应 CMIT:0001252`;

let server: DovecotServer;
let smtp: SmtpSink;
let client: ImapFlow;
let configFile: string;

beforeAll(async () => {
  server = await startDovecot();
  smtp = await startSmtpSink();
  process.env.CASEBOT_TEST_IMAP_PASSWORD = server.password;
  process.env.CASEBOT_TEST_PORTAL_TIANJIN = 'tianjin';
  configFile = writeTestConfig({
    imap: { host: server.host, port: server.port, user: server.user, passwordEnv: 'CASEBOT_TEST_IMAP_PASSWORD' },
    smtpPort: smtp.port,
  });
  client = await connectImapClient(server);
});

afterAll(async () => {
  await client?.logout().catch(() => undefined);
  await smtp?.stop();
  await server?.stop();
});

async function pass(): Promise<void> {
  await runPass(configFile);
}

function withBot<T>(fn: (bot: Casebot) => T): Promise<T> {
  return withBotOn(configFile, fn);
}

async function folder(name: string): Promise<{ uid: number; raw: Buffer }[]> {
  const lock = await client.getMailboxLock(name);
  try {
    await client.mailboxOpen(name);
    if (!client.mailbox || client.mailbox.exists === 0) return [];
    return (await client.fetchAll('1:*', { uid: true, source: true })).map((m) => ({ uid: m.uid, raw: m.source! }));
  } finally {
    lock.release();
  }
}

const toCustomer = () => smtp.received.filter((r) => r.to.includes('zhaoming@tj.icbc.example.cn'));
const toEngineer = () => smtp.received.filter((r) => r.to.includes('weiliang@cmgos.com'));

test('the seed case to closure, by mail only', async () => {
  // 1. The opening mail → scope draft; the engineer approves it with /send.
  await client.append('INBOX', seed('01-opening.eml'));
  await pass();
  const [scopeDraft] = await folder('Drafts');
  await client.append('INBOX', await commandMail(`${SUBJECT} /send`));
  await pass();
  expect(toCustomer()).toHaveLength(1);
  // Sent exactly as drafted, threading headers and all.
  expect(toCustomer()[0]!.raw.toString('utf8').replace(/\r\n$/, '')).toBe(scopeDraft!.raw.toString('utf8').replace(/\r\n$/, ''));
  expect(toCustomer()[0]!.to.sort()).toEqual(['it-ops@tj.icbc.example.cn', 'support@cmgos.com', 'zhaoming@tj.icbc.example.cn']);
  expect(await folder('Drafts')).toHaveLength(0);
  expect(await folder('Sent')).toHaveLength(1);
  const reply = await simpleParser(toEngineer()[0]!.raw);
  expect(reply.text).toContain('已进入发送队列');
  expect(reply.headers.get('x-casebot-loop')).toBeTruthy();

  // 2. Logs arrive → diagnosis draft; the engineer edits it in the client and sends their own version.
  await client.append('INBOX', seed('02-logs-ensec64.eml'));
  await pass();
  const [diagnosis] = await folder('Drafts');
  const draftMail = await simpleParser(diagnosis!.raw);
  const logsMail = await simpleParser(seed('02-logs-ensec64.eml'));
  await client.append(
    'Sent',
    await buildMail({
      from: 'Wei Liang <weiliang@cmgos.com>',
      to: ['zhaoming@tj.icbc.example.cn'],
      subject: draftMail.subject!,
      date: new Date().toISOString(),
      messageId: '<edited.1@cmgos.com>',
      inReplyTo: logsMail.messageId!,
      references: [logsMail.messageId!],
      text: `赵先生 您好：\n感谢您的电话接听。\n${draftMail.text!.split('\n').slice(1, 30).join('\n')}`,
    }),
    ['\\Seen'],
  );
  await pass();
  expect(await folder('Drafts')).toHaveLength(0);
  const sentEvent = await withBot((bot) => bot.store.events.list(CASE).filter((e) => e.type === 'draft-sent'));
  expect(sentEvent.map((e) => e.detail.edited)).toEqual([false, true]);
  expect(sentEvent[1]!.detail.similarity).toBeGreaterThan(0.3);
  expect(sentEvent[1]!.detail.similarity).toBeLessThan(1);

  // 3. New logs → BCD diagnosis → /send.
  await client.append('INBOX', seed('03-logs-bcd.eml'));
  await pass();
  await client.append('INBOX', await commandMail(`${SUBJECT} ／send`));
  await pass();
  expect(toCustomer()).toHaveLength(2);
  expect((await simpleParser(toCustomer()[1]!.raw)).text).toContain('bcdedit /delete {725f2633-5298-49c7-9016-202d172da460}');

  // 4. The customer confirms; the engineer closes with the summary in the subject, and sends.
  await client.append('INBOX', seed('04-confirm-success.eml'));
  await pass();
  await client.append('INBOX', await commandMail(`${SUBJECT} /close 删除出错的BCD配置信息后，升级系统成功 /send`));
  await pass();
  expect(toCustomer()).toHaveLength(3);
  const closure = await simpleParser(toCustomer()[2]!.raw);
  expect(closure.text).toContain('问题总结：\n删除出错的BCD配置信息后，升级系统成功');
  await pass(); // the Sent copy of the closure is seen

  // The timeline matches what was sent: every mail to the customer is a recorded send.
  await withBot((bot) => {
    const events = bot.store.events.list(CASE);
    expect(bot.store.getCase(CASE)!.status).toBe('closed');
    const sentToCustomer = events.filter((e) => e.type === 'mail-sent' && e.detail.purpose === 'customer');
    expect(sentToCustomer).toHaveLength(3);
    expect(events.filter((e) => e.type === 'draft-sent')).toHaveLength(4);
    expect(events.filter((e) => e.type === 'command').map((e) => e.detail.name)).toEqual(['send', 'send', 'close', 'send']);
  });
  expect(await folder('Drafts')).toHaveLength(0);
});

test("a customer's /close and an impostor's /close change nothing", async () => {
  const before = await withBot((bot) => bot.store.getCase(CASE)!.status);
  const customerClose = await buildMail({
    from: '赵明 <zhaoming@tj.icbc.example.cn>',
    to: ['weiliang@cmgos.com'],
    subject: `${SUBJECT} /reopen /send`,
    date: new Date().toISOString(),
    messageId: '<customer.command@tj.icbc.example.cn>',
    text: '又失败了',
  });
  await client.append('INBOX', customerClose);
  await client.append('INBOX', await commandMail(`${SUBJECT} /reopen`, { authResults: 'evil.example; dmarc=pass header.from=cmgos.com' }));
  await client.append(
    'INBOX',
    await commandMail(`${SUBJECT} /reopen`, {
      authResults: 'mail.cmgos.com; spf=fail smtp.mailfrom=cmgos.com; dmarc=fail header.from=cmgos.com',
    }),
  );
  const sentBefore = toCustomer().length;
  await pass();
  await withBot((bot) => {
    const events = bot.store.events.list(CASE);
    // The commands change nothing; the customer's mail itself is a customer writing after closure,
    // which reopens the case as any such mail does (and nothing is sent to them).
    expect(before).toBe('closed');
    expect(bot.store.getCase(CASE)!.status).toBe('open');
    expect(events.filter((e) => e.type === 'case-reopened').map((e) => e.detail.by)).toEqual(['customer-wrote']);
    expect(events.filter((e) => e.type === 'command' && e.detail.name === 'reopen')).toHaveLength(0);
    expect(events.filter((e) => e.type === 'command-ignored')).toHaveLength(1);
    expect(events.filter((e) => e.type === 'command-refused')).toHaveLength(2);
  });
  expect(toCustomer()).toHaveLength(sentBefore);
  const notices = await Promise.all(toEngineer().map((r) => simpleParser(r.raw)));
  expect(notices.filter((n) => n.subject?.includes('拒绝执行命令'))).toHaveLength(2);
});
