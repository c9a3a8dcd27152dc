// casebot measures its own usefulness, on a store built by real passes against Dovecot: one
// draft sent as drafted, one sent after the engineer edited it, one replaced by a newer draft,
// one discarded with /discard and one deleted from Drafts. Each draft's outcome, the `stats`
// table and its JSON, and the digest's 草稿采纳情况 section (golden text) are checked.

import { ImapFlow } from 'imapflow';
import { simpleParser } from 'mailparser';
import { makeDigest } from '../../src/app/send-digest';
import { main } from '../../src/cli/main';
import { draftOutcomes } from '../../src/core/stats/draft-outcomes';
import { startDovecot, type DovecotServer, connectImapClient } from '../helpers/dovecot';
import { commandMail } from '../helpers/engineer-mail';
import { expectGolden } from '../helpers/golden';
import { buildMail } from '../helpers/mail-factory';
import { runPass, withBot } from '../helpers/run-pass';
import { writeTestConfig } from '../helpers/test-config';

let server: DovecotServer;
let client: ImapFlow;
let configFile: string;

const subject = (caseId: string) => `[案例号: ${caseId} ] % 升级失败分析 %`;
const opening = (caseId: string, n: number) =>
  buildMail({
    from: '赵明 <zhaoming@tj.icbc.example.cn>',
    to: ['weiliang@cmgos.com'],
    subject: subject(caseId),
    date: `2022-05-0${n}T02:00:00Z`,
    messageId: `<open.${caseId}@tj.icbc.example.cn>`,
    text: `您好：\n第${n}批终端升级V2020-L时报错并回退，请协助分析原因。\n\n赵明`,
  });

async function folder(path: string) {
  const lock = await client.getMailboxLock(path);
  try {
    await client.mailboxOpen(path);
    if (!client.mailbox || client.mailbox.exists === 0) return [];
    const messages = await client.fetchAll('1:*', { uid: true, source: true });
    return Promise.all(messages.map(async (m) => ({ uid: m.uid, raw: m.source!, mail: await simpleParser(m.source!) })));
  } finally {
    lock.release();
  }
}

async function draftOf(caseId: string) {
  const found = (await folder('Drafts')).find((d) => d.mail.headers.get('x-casebot-case') === caseId);
  if (!found) throw new Error(`no draft for ${caseId}`);
  return found;
}

async function deleteDraft(uid: number): Promise<void> {
  const lock = await client.getMailboxLock('Drafts');
  try {
    await client.messageDelete(String(uid), { uid: true });
  } finally {
    lock.release();
  }
}

beforeAll(async () => {
  server = await startDovecot();
  process.env.CASEBOT_TEST_IMAP_PASSWORD = server.password;
  process.env.CASEBOT_TEST_PORTAL_TIANJIN = 'tianjin';
  configFile = writeTestConfig({
    imap: { host: server.host, port: server.port, user: server.user, passwordEnv: 'CASEBOT_TEST_IMAP_PASSWORD' },
    extra: { commands: { trustedAuthservIds: ['mail.cmgos.com'] } },
  });
  client = await connectImapClient(server);
});

afterAll(async () => {
  await client?.logout().catch(() => undefined);
  await server?.stop();
});

test('every draft’s outcome, the stats table and JSON, and the digest section', async () => {
  const cases = ['CAS-08001-AAAAA1', 'CAS-08002-BBBBB2', 'CAS-08003-CCCCC3', 'CAS-08004-DDDDD4'];
  for (const [i, caseId] of cases.entries()) await client.append('INBOX', await opening(caseId, i + 1));
  await runPass(configFile);
  expect(await folder('Drafts')).toHaveLength(4);

  // 1. Sent as drafted: the client moves the draft to Sent.
  const asIs = await draftOf(cases[0]!);
  await client.append('Sent', asIs.raw, ['\\Seen']);
  await deleteDraft(asIs.uid);
  // 2. Sent after edits: the engineer's own mail, answering the same customer mail, without the scope paragraph.
  const toEdit = await draftOf(cases[1]!);
  const edited = (toEdit.mail.text ?? '')
    .replace(/如果能及时解决问题.*\n/, '')
    .replace(/接下来，我们将开始合作解决这个问题。.*\n/, '')
    .replace('感谢您联系我们。', '感谢您的电话接听。');
  await client.append(
    'Sent',
    await buildMail({
      from: 'Wei Liang <weiliang@cmgos.com>',
      to: ['zhaoming@tj.icbc.example.cn'],
      subject: `回复: ${subject(cases[1]!)}`,
      date: '2022-05-03T03:00:00Z',
      messageId: '<edited.08002@cmgos.com>',
      inReplyTo: `<open.${cases[1]}@tj.icbc.example.cn>`,
      text: edited,
    }),
    ['\\Seen'],
  );
  await deleteDraft(toEdit.uid);
  // 3. Replaced: the customer writes again before anyone answered; then the new draft is discarded.
  await client.append(
    'INBOX',
    await buildMail({
      from: '赵明 <zhaoming@tj.icbc.example.cn>',
      to: ['weiliang@cmgos.com'],
      subject: `回复: ${subject(cases[2]!)}`,
      date: '2022-05-04T02:00:00Z',
      messageId: '<again.08003@tj.icbc.example.cn>',
      inReplyTo: `<open.${cases[2]}@tj.icbc.example.cn>`,
      text: '您好：\n请问日志怎么收集？\n\n赵明',
    }),
  );
  // 4. Deleted from Drafts without a send.
  await deleteDraft((await draftOf(cases[3]!)).uid);
  await runPass(configFile);
  await client.append('INBOX', await commandMail(`回复: ${subject(cases[2]!)} /discard`));
  await runPass(configFile);

  const outcomes = await withBot(configFile, (bot) => draftOutcomes(bot.store.drafts.history('2000-01-01T00:00:00Z', null)));
  expect(outcomes.map((d) => [d.caseId, d.kind, d.outcome])).toEqual([
    [cases[0], 'scope-request', 'sent-as-drafted'],
    [cases[1], 'scope-request', 'sent-edited'],
    [cases[2], 'scope-request', 'replaced'],
    [cases[3], 'scope-request', 'discarded'],
    [cases[2], 'scope-request', 'discarded'],
  ]);
  const editedDraft = outcomes[1]!;
  expect(editedDraft.similarity).toBeLessThan(0.9);
  // Two lines of the scope paragraph (six sentences) and the thanks went; one thanks came in.
  expect(editedDraft.edits).toMatchObject({ removed: 7, added: 1, commandsChanged: [] });
  expect(editedDraft.edits!.templateSentences).toEqual(
    expect.arrayContaining([
      '感谢您联系我们。',
      '接下来，我们将开始合作解决这个问题。',
      '如果能及时解决问题，或问题属于产品设计的行为，或问题涉及到三方，我们将考虑关闭案例。',
    ]),
  );

  let out = '';
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string) => ((out += chunk), true)) as typeof process.stdout.write;
  try {
    expect(await main(['node', 'casebot', 'stats', '--since', '3650d', '-c', configFile])).toBe(0);
    const table = out;
    out = '';
    expect(await main(['node', 'casebot', 'stats', '--since', '3650d', '--json', '-c', configFile])).toBe(0);
    const json = JSON.parse(out) as {
      drafts: number;
      byKind: { label: string; made: number; asDrafted: number; edited: number; replaced: number; discarded: number }[];
    };
    expect(json.drafts).toBe(5);
    expect(json.byKind.find((r) => r.label === 'scope-request')).toMatchObject({
      made: 5,
      asDrafted: 1,
      edited: 1,
      replaced: 1,
      discarded: 2,
    });
    expect(table).toMatch(/^scope-request\s+5\s+1\s+20%\s+1\s+20%\s+0\.\d\d\s+1\s+2\s+0\s/m);
    expect(table).toContain('scope-request: 如果能及时解决问题，或问题属于产品设计的行为，或问题涉及到三方，我们将考虑关闭案例。');
  } finally {
    process.stdout.write = write;
  }

  const digest = await withBot(configFile, (bot) => makeDigest(bot, null, 'support@cmgos.com').rendered.text);
  const section = digest.slice(digest.indexOf('== 草稿采纳情况'), digest.indexOf('\n\n', digest.indexOf('== 草稿采纳情况')));
  expectGolden('digest-adoption.txt', `${section}\n`);
  // The engineer's own digest counts their cases: here all of them are Wei Liang's.
  const own = await withBot(configFile, (bot) => makeDigest(bot, 'weiliang@cmgos.com', 'weiliang@cmgos.com').rendered.text);
  expect(own).toContain(section);
  const html = await withBot(configFile, (bot) => makeDigest(bot, null, 'support@cmgos.com').rendered.html);
  expect(html).toContain('草稿采纳情况 · 近 7 天');
}, 120_000);
