// Broken mail never stops the mailbox: each is handled, or recorded with a clear reason.

import fs from 'node:fs';
import path from 'node:path';
import iconv from 'iconv-lite';
import { processMailbox } from '../../src/app/process-mailbox';
import { loadConfig } from '../../src/config/load';
import { createCasebot, type Casebot } from '../../src/main';
import type { Logger } from '../../src/ports/logger';
import { buildMail } from '../helpers/mail-factory';
import { tempMaildir } from '../helpers/temp-maildir';
import { writeTestConfig } from '../helpers/test-config';

const quiet: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };
let root: string;
let bot: Casebot;
let n = 0;

const drop = (raw: Buffer | string) => fs.writeFileSync(path.join(root, 'new', `${1900000000 + ++n}.M${n}P1.b:2,`), raw);

beforeEach(async () => {
  root = tempMaildir();
  bot = createCasebot(loadConfig(writeTestConfig({ maildir: root })), quiet);
  await bot.mailbox.open();
});
afterEach(async () => {
  await bot.close();
});

const header = (subject: string, extra = '') =>
  `From: kehu@unit.example.cn\r\nTo: weiliang@cmgos.com\r\nSubject: ${subject}\r\nDate: Mon, 2 May 2022 10:00:00 +0800\r\n${extra}`;

test('a body labelled gb2312 that is really GB18030 keeps every character', async () => {
  const text = '升级失败，设备名：镕铖𠀀号机'; // 𠀀 exists only in GB18030 (four bytes)
  drop(
    Buffer.concat([
      Buffer.from(
        header(
          '[案例号: CAS-30001-CHARS1 ] 升级失败',
          'Message-ID: <c1@unit.example.cn>\r\nContent-Type: text/plain; charset=gb2312\r\nContent-Transfer-Encoding: 8bit\r\n\r\n',
        ),
        'latin1',
      ),
      iconv.encode(text, 'gb18030'),
    ]),
  );
  await processMailbox(bot);
  const view = bot.store.loadCaseView('CAS-30001-CHARS1');
  expect(view.messages).toHaveLength(1);
  const stored = (bot.store as unknown as { db: { prepare(s: string): { get(): { body_text: string } } } }).db
    .prepare("SELECT body_text FROM messages WHERE message_id = 'c1@unit.example.cn'")
    .get();
  expect(stored.body_text).toContain(text);
});

test('a raw 8-bit GBK subject keeps its case id and its Chinese', async () => {
  drop(
    Buffer.concat([
      Buffer.from('From: kehu@unit.example.cn\r\nTo: weiliang@cmgos.com\r\nSubject: ', 'latin1'),
      iconv.encode('回复：[案例号：CAS-30002-GBKHDR] 升级失败', 'gbk'),
      Buffer.from('\r\nMessage-ID: <g1@unit.example.cn>\r\n\r\nbody\r\n', 'latin1'),
    ]),
  );
  await processMailbox(bot);
  const c = bot.store.getCase('CAS-30002-GBKHDR');
  expect(c?.subject).toContain('升级失败');
});

test('no Message-ID, and a second mail reusing one, are both kept', async () => {
  drop(header('[案例号: CAS-30003-NOMSID ] a', '\r\n') + 'first\r\n');
  drop(header('[案例号: CAS-30003-NOMSID ] b', 'Message-ID: <same@unit.example.cn>\r\n\r\n') + 'second\r\n');
  drop(header('[案例号: CAS-30003-NOMSID ] c', 'Message-ID: <same@unit.example.cn>\r\n\r\n') + 'a different mail, same id\r\n');
  const report = await processMailbox(bot);
  expect(report.ingested).toBe(3);
  expect(
    bot.store
      .loadCaseView('CAS-30003-NOMSID')
      .messages.map((m) => m.messageId)
      .filter((id) => id.startsWith('missing.') || id.startsWith('same@')),
  ).toHaveLength(3);
  expect(bot.store.events.list(null).filter((e) => e.type === 'duplicate-message-id')).toHaveLength(1);
});

test('malformed MIME, a huge body and thousands of parts do not stop the mailbox', async () => {
  drop(
    header(
      '[案例号: CAS-30004-BROKEN ] truncated',
      'Message-ID: <t1@unit.example.cn>\r\nContent-Type: multipart/mixed; boundary="zzz"\r\n\r\n',
    ) + '--zzz\r\nContent-Type: text/plain\r\n\r\nhalf a mai',
  );
  drop(header('[案例号: CAS-30005-HUGEBD ] huge', 'Message-ID: <h1@unit.example.cn>\r\n\r\n') + '升级失败。'.repeat(2_000_000));
  const parts = Array.from({ length: 3000 }, (_, i) => ({
    filename: `log${i}.txt`,
    content: Buffer.from(`2022-05-01 10:00:00, Info                  SP     line ${i}\r\n`),
    contentType: 'text/plain',
  }));
  drop(
    await buildMail({
      from: 'kehu@unit.example.cn',
      to: ['weiliang@cmgos.com'],
      subject: '[案例号: CAS-30006-PARTSS ] 日志',
      date: '2022-05-01T10:00:00+08:00',
      messageId: '<p1@unit.example.cn>',
      text: '日志见附件',
      attachments: parts,
    }),
  );
  drop(header('[案例号: CAS-30007-AFTERS ] fine', 'Message-ID: <f1@unit.example.cn>\r\n\r\n') + '升级失败\r\n');
  const report = await processMailbox(bot);
  expect(report.ingested + report.failed).toBe(4);
  expect(bot.store.getCase('CAS-30007-AFTERS')).not.toBeNull();
  // Thousands of parts: the parser refuses, so the mail is quarantined with that reason.
  expect(bot.store.quarantine.pending().map((q) => q.reason)).toEqual(['Max allowed child nodes exceeded']);
  expect(bot.store.getCase('CAS-30005-HUGEBD')).not.toBeNull();
}, 60000);

test('dozens of loose log attachments: the first 40 are read, and the draft says why', async () => {
  const parts = Array.from({ length: 50 }, (_, i) => ({
    filename: `log${i}.txt`,
    content: Buffer.from(`2022-05-01 10:00:00, Info                  SP     line ${i}\r\n`),
    contentType: 'text/plain',
  }));
  drop(
    await buildMail({
      from: 'kehu@unit.example.cn',
      to: ['weiliang@cmgos.com'],
      subject: '[案例号: CAS-30006-PARTSS ] 日志',
      date: '2022-05-01T10:00:00+08:00',
      messageId: '<p1@unit.example.cn>',
      text: '日志见附件',
      attachments: parts,
    }),
  );
  await processMailbox(bot);
  const problems = bot.store.loadCaseView('CAS-30006-PARTSS').messages[0]!.intakeProblems;
  expect(problems).toEqual([{ code: 'TOO_MANY_ATTACHMENTS', count: 50, limit: 40 }]);
});
