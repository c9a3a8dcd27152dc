// Which case a mail belongs to: the case id in the subject first (any prefixes, full-width
// punctuation), then In-Reply-To/References to a known message; otherwise it is recorded as
// unmatched and left where it is.

import fs from 'node:fs';
import path from 'node:path';
import { processMailbox } from '../../src/app/process-mailbox';
import { loadConfig } from '../../src/config/load';
import { createCasebot } from '../../src/main';
import type { Logger } from '../../src/ports/logger';
import { writeTestConfig } from '../helpers/test-config';
import { deliver, tempMaildir } from '../helpers/temp-maildir';

const quiet: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };
const customer = '赵明 <zhaoming@tj.icbc.example.cn>';

test('subject ids, header threading and unmatched mail', async () => {
  const root = tempMaildir();
  await deliver(root, {
    from: customer,
    to: ['weiliang@cmgos.com'],
    subject: '答复：RE: 【案例号：CAS-07001-AB12CD】 升级失败',
    date: '2022-05-01T09:00:00+08:00',
    messageId: '<a1@tj.icbc.example.cn>',
    text: '升级失败，请帮忙分析。',
  });
  // No case id in the subject, but it answers a known message.
  await deliver(root, {
    from: customer,
    to: ['weiliang@cmgos.com'],
    subject: '补充说明',
    date: '2022-05-01T10:00:00+08:00',
    messageId: '<a2@tj.icbc.example.cn>',
    inReplyTo: '<a1@tj.icbc.example.cn>',
    references: ['<a1@tj.icbc.example.cn>'],
    text: '补充：是天津分行的终端。',
  });
  await deliver(root, {
    from: 'newsletter@example.com',
    to: ['weiliang@cmgos.com'],
    subject: '本周新闻',
    date: '2022-05-01T11:00:00+08:00',
    messageId: '<n1@example.com>',
    text: 'hello',
  });
  const before = fs.readdirSync(path.join(root, 'new')).sort();

  const bot = createCasebot(loadConfig(writeTestConfig({ maildir: root })), quiet);
  await bot.mailbox.open();
  const report = await processMailbox(bot);
  expect(report.ingested).toBe(2);
  expect(report.unmatched).toBe(1);
  expect(report.drafts.map((d) => d.caseId)).toEqual(['CAS-07001-AB12CD']);
  const view = bot.store.loadCaseView('CAS-07001-AB12CD');
  expect(view.messages.map((m) => m.messageId)).toEqual(['a1@tj.icbc.example.cn', 'a2@tj.icbc.example.cn']);
  // The draft answers the latest mail of the thread.
  expect(view.liveDraft?.basedOn).toBe('a2@tj.icbc.example.cn');
  const unmatched = bot.store.events.list(null).filter((e) => e.type === 'mail-unmatched');
  expect(unmatched).toHaveLength(1);
  expect(unmatched[0]!.messageId).toBe('n1@example.com');
  await bot.close();
  expect(fs.readdirSync(path.join(root, 'new')).sort()).toEqual(before);
});
