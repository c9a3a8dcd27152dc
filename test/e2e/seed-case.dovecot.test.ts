// The seed case end to end against a real Dovecot: the customer's mails arrive one at a time;
// between steps the test plays the engineer, sending casebot's draft from the client (the draft
// moves to Sent). After each step exactly one new draft must be there, with the right facts and
// threading, and INBOX must be untouched.

import fs from 'node:fs';
import path from 'node:path';
import { ImapFlow } from 'imapflow';
import { simpleParser, type ParsedMail } from 'mailparser';
import type { Casebot } from '../../src/main';
import { startDovecot, type DovecotServer, connectImapClient } from '../helpers/dovecot';
import { commandMail } from '../helpers/engineer-mail';
import { buildMail } from '../helpers/mail-factory';
import { runPass, withBot as withBotOn } from '../helpers/run-pass';
import { writeTestConfig } from '../helpers/test-config';

const seedDir = path.join(__dirname, '../../mailbox-fixtures/seed-case');
const seedMail = (name: string) => fs.readFileSync(path.join(seedDir, name));
let server: DovecotServer;
let client: ImapFlow;
let configFile: string;

beforeAll(async () => {
  server = await startDovecot();
  process.env.CASEBOT_TEST_IMAP_PASSWORD = server.password;
  process.env.CASEBOT_TEST_PORTAL_TIANJIN = 'tianjin';
  configFile = writeTestConfig({
    imap: { host: server.host, port: server.port, user: server.user, passwordEnv: 'CASEBOT_TEST_IMAP_PASSWORD' },
  });
  client = await connectImapClient(server);
});

afterAll(async () => {
  await client?.logout().catch(() => undefined);
  await server?.stop();
});

const CASE = 'CAS-06079-G5K3W1';

function withBot(check: (bot: Casebot) => void): Promise<void> {
  return withBotOn(configFile, check);
}

async function pass(): Promise<void> {
  await runPass(configFile);
}

async function folder(path: string): Promise<{ uid: number; flags: Set<string>; mail: ParsedMail; raw: Buffer }[]> {
  const lock = await client.getMailboxLock(path);
  try {
    // Re-select: a folder kept selected would not show what casebot's connection appended.
    await client.mailboxOpen(path);
    if (!client.mailbox || client.mailbox.exists === 0) return [];
    const messages = await client.fetchAll('1:*', { uid: true, flags: true, source: true });
    return Promise.all(
      messages.map(async (m) => ({ uid: m.uid, flags: m.flags ?? new Set<string>(), raw: m.source!, mail: await simpleParser(m.source!) })),
    );
  } finally {
    lock.release();
  }
}

/** What an engineer's mail client does on Send: the draft goes to Sent and leaves Drafts. */
async function engineerSendsDraft(): Promise<void> {
  const [draft] = await folder('Drafts');
  await client.append('Sent', draft!.raw, ['\\Seen']);
  const lock = await client.getMailboxLock('Drafts');
  try {
    await client.messageDelete(String(draft!.uid), { uid: true });
  } finally {
    lock.release();
  }
}

async function theOneDraft(): Promise<ParsedMail> {
  const drafts = await folder('Drafts');
  expect(drafts).toHaveLength(1);
  expect(drafts[0]!.flags.has('\\Draft')).toBe(true);
  return drafts[0]!.mail;
}

async function expectInboxUntouched(count: number): Promise<void> {
  const inbox = await folder('INBOX');
  expect(inbox).toHaveLength(count);
  // \Recent is per session and says nothing; every flag a client could set must be absent.
  for (const m of inbox) expect([...m.flags].filter((f) => f !== '\\Recent')).toEqual([]);
}

test('the seed thread, step by step', async () => {
  const subject = '[案例号: CAS-06079-G5K3W1 ] % 工行升级-天津分行升级报错回退分析 % 初次响应 CMIT:0001252';

  // 1. The customer's opening mail → scope definition and log request.
  const opening = seedMail('01-opening.eml');
  await client.append('INBOX', opening);
  await pass();
  let draft = await theOneDraft();
  const openingMail = await simpleParser(opening);
  expect(draft.subject).toBe(`回复: ${subject}`);
  expect(draft.inReplyTo).toBe(openingMail.messageId);
  expect(draft.from?.value[0]?.address).toBe('weiliang@cmgos.com');
  expect((draft.to as { value: { address: string }[] }).value.map((a) => a.address)).toEqual(['zhaoming@tj.icbc.example.cn']);
  const cc = (draft.cc as { value: { address: string }[] } | undefined)?.value.map((a) => a.address) ?? [];
  expect(cc).toEqual(expect.arrayContaining(['support@cmgos.com', 'it-ops@tj.icbc.example.cn']));
  expect(draft.text).toContain('赵先生 您好：');
  expect(draft.text).toContain('问题定义');
  expect(draft.text).toContain('CMGELogCollector.exe');
  expect(draft.text).toContain('用户名：tianjin');
  await expectInboxUntouched(1);

  // Running again changes nothing.
  await pass();
  await theOneDraft();

  // 2. The engineer sends it; the customer sends the first bundle → diagnosis of Ensec64.
  await engineerSendsDraft();
  const logs1 = seedMail('02-logs-ensec64.eml');
  await client.append('INBOX', logs1);
  await pass();
  draft = await theOneDraft();
  expect(draft.inReplyTo).toBe((await simpleParser(logs1)).messageId);
  expect(draft.references).toEqual(expect.arrayContaining([openingMail.messageId]));
  expect(draft.text).toContain('Ensec64');
  expect(draft.text).toContain('DSPClient（文档安全防护系统）');
  expect(draft.text).toContain(
    'Abandoning apply due to error for object: HKLM\\SYSTEM\\CurrentControlSet\\services\\Ensec64 [DisplayName]',
  );
  expect(draft.text).toMatch(/暂时先卸载 DSPClient/);
  expect(draft.text).toContain('reg delete "HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\services\\Ensec64" /f');
  expect(draft.text).toContain('reg import');

  // A restart mid-thread makes no second draft.
  await pass();
  await theOneDraft();

  // 3. Sent; the fix did not take and new logs show the BCD failure → diagnosis with the GUID.
  await engineerSendsDraft();
  await client.append('INBOX', seedMail('03-logs-bcd.eml'));
  await pass();
  draft = await theOneDraft();
  expect(draft.text).toContain('{725f2633-5298-49c7-9016-202d172da460}');
  expect(draft.text).toContain('bcdedit /delete {725f2633-5298-49c7-9016-202d172da460}');
  expect(draft.text).toContain('BcdCopyObjectEx: Failed to enumerate source elements');
  // It recalls the earlier advice and the customer's answer, but quotes only the new failure.
  expect(draft.text).toContain('上次我们建议您卸载 DSPClient');
  expect(draft.text).toContain('您反馈：按照方法卸载后仍然失败');
  expect(draft.text).toContain('分析了您上传的最新的升级日志');
  expect(draft.text).not.toContain('Migration Obejct');

  // 4. Sent; the customer confirms success → closure built from the BCD diagnosis.
  await engineerSendsDraft();
  await client.append('INBOX', seedMail('04-confirm-success.eml'));
  await pass();
  draft = await theOneDraft();
  expect(draft.text).toContain('案例总结');
  expect(draft.text).toContain('问题总结：\n删除出错的BCD配置信息后，升级系统成功。');
  expect(draft.text).toContain('bcdedit /delete {725f2633-5298-49c7-9016-202d172da460}');
  await expectInboxUntouched(4);

  // 5. The engineer sends the closure from the client: the case closes on that alone.
  await engineerSendsDraft();
  await pass();
  expect(await folder('Drafts')).toHaveLength(0);
  await withBot((bot) => {
    expect(bot.store.getCase(CASE)!.status).toBe('closed');
    const digest = bot.store.digest.data(null, '2000-01-01T00:00:00Z', '2000-01-01T00:00:00Z').cases.find((c) => c.caseId === CASE)!;
    expect(digest.status).toBe('closed');
    expect(
      bot.store.events
        .list(CASE)
        .filter((e) => e.type === 'case-closed')
        .map((e) => e.detail.by),
    ).toEqual(['closure-sent']);
    // The store saw each message once and recorded the sent drafts.
    const counts = bot.store.counts();
    expect(counts.messages).toBe(8); // 4 from the customer, 4 sent drafts
    expect(counts.drafts).toBe(4);
    const kinds = bot.store.events
      .list(CASE)
      .filter((e) => e.type === 'draft-created')
      .map((e) => e.detail.kind);
    expect(kinds).toEqual(['scope-request', 'diagnosis', 'diagnosis', 'closure']);
    expect(bot.store.events.list(CASE).filter((e) => e.type === 'draft-sent')).toHaveLength(4);
  });

  // 6. /close after the closure went out closes nothing twice and drafts no second closure.
  await client.append('Sent', await commandMail(`${subject} /close`));
  await pass();
  expect(await folder('Drafts')).toHaveLength(0);

  // 7. A thank-you keeps it closed; the customer writing about a new failure reopens it,
  //    the engineer is told and a draft waits.
  const reply = (messageId: string, text: string) =>
    buildMail({
      from: '赵明 <zhaoming@tj.icbc.example.cn>',
      to: ['weiliang@cmgos.com'],
      subject: `回复: ${subject}`,
      date: '2022-04-28T02:00:00Z',
      messageId,
      text,
    });
  await client.append('INBOX', await reply('thanks@tj.icbc.example.cn', '好的，谢谢！\n\n赵明'));
  await pass();
  await withBot((bot) => expect(bot.store.getCase(CASE)!.status).toBe('closed'));
  await client.append('INBOX', await reply('again@tj.icbc.example.cn', '您好：\n另一台终端TJ-PC0188升级又失败了，还是回退。\n\n赵明'));
  await pass();
  await withBot((bot) => {
    expect(bot.store.getCase(CASE)!.status).toBe('open');
    expect(
      bot.store.events
        .list(CASE)
        .filter((e) => e.type === 'case-reopened')
        .map((e) => e.detail.by),
    ).toEqual(['customer-wrote']);
    const notices = bot.store.outbox.due('9999').filter((e) => e.purpose === 'engineer' && e.caseId === CASE);
    expect(notices.map((n) => n.raw.toString('latin1')).some((raw) => /X-Casebot-Case: CAS-06079-G5K3W1/.test(raw))).toBe(true);
  });
  draft = await theOneDraft();
  expect(draft.inReplyTo).toBe('<again@tj.icbc.example.cn>');
  expect(draft.text).toContain('按照上次的方法处理后升级仍未成功');
});
