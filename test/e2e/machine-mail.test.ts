// Mail that must not be answered: out-of-office replies, auto-submitted and bulk mail, bounces
// of what casebot sent, and a loop of the same mail. None produces a draft; a bounce is
// attached to its case.

import fs from 'node:fs';
import path from 'node:path';
import { processMailbox } from '../../src/app/process-mailbox';
import { loadConfig } from '../../src/config/load';
import { createCasebot, type Casebot } from '../../src/main';
import type { Logger } from '../../src/ports/logger';
import { buildMail, type MailSpec } from '../helpers/mail-factory';
import { tempMaildir } from '../helpers/temp-maildir';
import { writeTestConfig } from '../helpers/test-config';

const quiet: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };
const CASE = 'CAS-06079-G5K3W1';
const SUBJECT = `回复: [案例号: ${CASE} ] % 工行升级-天津分行升级报错回退分析 %`;

let root: string;
let bot: Casebot;
let n = 0;

async function drop(spec: Partial<MailSpec>): Promise<void> {
  n++;
  const raw = await buildMail({
    from: '赵明 <zhaoming@tj.icbc.example.cn>',
    to: ['weiliang@cmgos.com'],
    subject: SUBJECT,
    date: new Date(Date.UTC(2022, 4, 1, 0, n)).toISOString(),
    messageId: `<machine.${n}@tj.icbc.example.cn>`,
    text: '您好',
    ...spec,
  });
  fs.writeFileSync(path.join(root, 'new', `${1900000000 + n}.M${n}P1.m:2,`), raw);
}

const drafts = () => fs.readdirSync(path.join(root, '.Drafts', 'cur')).filter((f) => !f.startsWith('.'));

beforeEach(async () => {
  root = tempMaildir();
  bot = createCasebot(loadConfig(writeTestConfig({ maildir: root })), quiet);
  await bot.mailbox.open();
  // The case exists and the engineer has answered: nothing is owed.
  fs.copyFileSync(path.join(__dirname, '../../mailbox-fixtures/seed-case/01-opening.eml'), path.join(root, 'new', `1800000000.M0P1.m:2,`));
  await processMailbox(bot);
  const [draft] = drafts();
  fs.renameSync(path.join(root, '.Drafts', 'cur', draft!), path.join(root, '.Sent', 'cur', `1800000001.M1P1.m:2,S`));
  await processMailbox(bot);
  expect(drafts()).toHaveLength(0);
});

afterEach(async () => {
  await bot.close();
});

test.each([
  ['Auto-Submitted', { headers: { 'Auto-Submitted': 'auto-replied' } }],
  ['X-Autoreply', { headers: { 'X-Autoreply': 'yes' } }],
  ['Precedence: bulk', { headers: { Precedence: 'bulk' } }],
  ['a Chinese out-of-office subject', { subject: `自动回复：${SUBJECT}`, text: '本人休假中，5月8日返回。' }],
  ['an English out-of-office subject', { subject: `Automatic reply: ${SUBJECT}` }],
])('%s: recorded, no draft', async (_name, spec) => {
  await drop(spec);
  await processMailbox(bot);
  expect(drafts()).toHaveLength(0);
  expect(bot.store.events.list(CASE).filter((e) => e.type === 'machine-mail')).toHaveLength(1);
});

test('a bounce of a mail casebot sent is attached to its case, and not answered', async () => {
  const sent = bot.store.loadCaseView(CASE).messages.find((m) => m.direction === 'outbound')!;
  await drop({
    from: 'Mail Delivery System <MAILER-DAEMON@cmgos.com>',
    to: ['weiliang@cmgos.com'],
    subject: 'Undelivered Mail Returned to Sender',
    headers: { 'X-Failed-Recipients': 'zhaoming@tj.icbc.example.cn' },
    text: 'This is the mail system. I am sorry to have to inform you that your message could not be delivered.',
    attachments: [
      {
        filename: 'original.eml',
        contentType: 'message/rfc822',
        content: Buffer.from(`Message-ID: <${sent.messageId}>\r\nSubject: x\r\n\r\nbody`),
      },
    ],
  });
  await processMailbox(bot);
  expect(drafts()).toHaveLength(0);
  const bounce = bot.store.events.list(CASE).find((e) => e.type === 'bounce');
  expect(bounce?.detail.returned).toBe(sent.messageId);
  expect(bounce?.detail.failedRecipients).toBe('zhaoming@tj.icbc.example.cn');
});

test('the same mail six times in an hour is a loop: no more drafts after the first', async () => {
  for (let i = 0; i < 6; i++) await drop({ text: '请尽快处理' });
  await processMailbox(bot);
  const loops = bot.store.events.list(CASE).filter((e) => e.type === 'machine-mail' && e.detail.kind === 'loop');
  expect(loops.length).toBeGreaterThanOrEqual(1);
  expect(drafts()).toHaveLength(1);
});
