// Sending through a real SMTP server process on loopback: the pace holds under a burst, a
// server that is down is retried until it is back, and a refusal is a clear failure on the case.

import fs from 'node:fs';
import path from 'node:path';
import { PacedSmtpSender } from '../../src/adapters/smtp/paced-smtp-sender';
import { processMailbox } from '../../src/app/process-mailbox';
import { loadConfig } from '../../src/config/load';
import { createCasebot, type Casebot } from '../../src/main';
import type { Logger } from '../../src/ports/logger';
import { SendError } from '../../src/ports/mail-sender';
import { commandMail } from '../helpers/engineer-mail';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink';
import { tempMaildir } from '../helpers/temp-maildir';
import { writeTestConfig } from '../helpers/test-config';

const quiet: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };
const raw = (n: number) =>
  Buffer.from(`From: support@cmgos.com\r\nTo: a@example.com\r\nSubject: ${n}\r\nMessage-ID: <burst.${n}@cmgos.com>\r\n\r\nbody ${n}\r\n`);

test('a burst of 100 sends keeps to 25 per second and 2 at a time', async () => {
  const smtp = await startSmtpSink();
  const sender = new PacedSmtpSender({
    host: '127.0.0.1',
    port: smtp.port,
    secure: false,
    user: null,
    password: null,
    pacing: { maxPerWindow: 25, windowSeconds: 1, maxConcurrent: 2 },
  });
  try {
    const started = Date.now();
    await Promise.all(Array.from({ length: 100 }, (_, i) => sender.send({ from: 'support@cmgos.com', to: ['a@example.com'] }, raw(i))));
    expect(smtp.received).toHaveLength(100);
    // 100 at 25 a window: the last quarter cannot start before three refreshes.
    expect(Date.now() - started).toBeGreaterThanOrEqual(2900);
    for (let s = 0; s < 4; s++) {
      const windowStart = started + s * 1000;
      const inWindow = smtp.received.filter((r) => r.at >= windowStart && r.at < windowStart + 1000).length;
      expect(inWindow).toBeLessThanOrEqual(25 + 2);
    }
  } finally {
    await sender.close();
    await smtp.stop();
  }
}, 30000);

test('a refusal (5xx) is permanent, a 4xx is not', async () => {
  const smtp = await startSmtpSink();
  const sender = new PacedSmtpSender({
    host: '127.0.0.1',
    port: smtp.port,
    secure: false,
    user: null,
    password: null,
    pacing: { maxPerWindow: 10, windowSeconds: 1, maxConcurrent: 1 },
  });
  try {
    smtp.mode = 'permanent';
    await expect(sender.send({ from: 'support@cmgos.com', to: ['a@example.com'] }, raw(1))).rejects.toMatchObject({ permanent: true });
    smtp.mode = 'temporary';
    const err = await sender.send({ from: 'support@cmgos.com', to: ['a@example.com'] }, raw(2)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SendError);
    expect((err as SendError).permanent).toBe(false);
  } finally {
    await sender.close();
    await smtp.stop();
  }
});

describe('the outbox', () => {
  let smtp: SmtpSink;
  let bot: Casebot;
  let root: string;
  let n = 0;
  const drop = (b: Buffer) => fs.writeFileSync(path.join(root, 'new', `${1900000000 + ++n}.M${n}P1.t:2,`), b);
  const SUBJECT = '回复: [案例号: CAS-06079-G5K3W1 ]';

  beforeEach(async () => {
    process.env.CASEBOT_TEST_PORTAL_TIANJIN = 'tianjin';
    smtp = await startSmtpSink();
    root = tempMaildir();
    bot = createCasebot(loadConfig(writeTestConfig({ maildir: root, smtpPort: smtp.port })), quiet);
    await bot.mailbox.open();
    drop(fs.readFileSync(path.join(__dirname, '../../mailbox-fixtures/seed-case/01-opening.eml')));
    await processMailbox(bot);
  });

  afterEach(async () => {
    await bot.close();
    await smtp.stop();
  });

  test('SMTP down, then back: the draft goes out once, after the server returns', async () => {
    await smtp.stop();
    drop(await commandMail(`${SUBJECT} /send`));
    await processMailbox(bot);
    const entry = bot.store.outbox.due('9999').find((e) => e.purpose === 'customer')!;
    expect(entry.status).toBe('pending');
    expect(entry.attempts).toBe(1);
    expect(entry.lastError).toBeTruthy();
    await smtp.start();
    for (let i = 0; i < 20 && smtp.received.filter((r) => r.to.includes('zhaoming@tj.icbc.example.cn')).length === 0; i++) {
      await new Promise((r) => setTimeout(r, 150));
      await processMailbox(bot);
    }
    expect(smtp.received.filter((r) => r.to.includes('zhaoming@tj.icbc.example.cn'))).toHaveLength(1);
    await processMailbox(bot);
    expect(smtp.received.filter((r) => r.to.includes('zhaoming@tj.icbc.example.cn'))).toHaveLength(1);
    expect(fs.readdirSync(path.join(root, '.Sent', 'cur')).filter((f) => !f.startsWith('.'))).toHaveLength(1);
  });

  test('/send refuses a draft that still holds a placeholder, and says why', async () => {
    // A second opening mail on a fresh store, without the upload password configured.
    delete process.env.CASEBOT_TEST_PORTAL_TIANJIN;
    await bot.close();
    bot = createCasebot(loadConfig(writeTestConfig({ maildir: tempMaildir(), smtpPort: smtp.port })), quiet);
    await bot.mailbox.open();
    const inbox = (bot.mailbox as unknown as { root: string }).root;
    fs.writeFileSync(
      path.join(inbox, 'new', '1900000100.M1P1.t:2,'),
      fs.readFileSync(path.join(__dirname, '../../mailbox-fixtures/seed-case/01-opening.eml')),
    );
    await processMailbox(bot);
    const draft = bot.store.drafts.live('CAS-06079-G5K3W1')!;
    expect(draft.bodyText).toContain('密码：【请工程师填写】');
    expect((await bot.codec.parse(draft.raw, new Date())).subject).toMatch(/^\[待填写\] 回复: /);
    fs.writeFileSync(path.join(inbox, 'new', '1900000200.M2P1.t:2,'), await commandMail(`${SUBJECT} /send`));
    await processMailbox(bot);
    expect(bot.store.outbox.byMessageId(draft.messageId)).toBeNull();
    // Only the engineer hears back, with the reason.
    expect(smtp.received).toHaveLength(1);
    expect(smtp.received[0]!.to).toEqual(['weiliang@cmgos.com']);
    expect((await bot.codec.parse(smtp.received[0]!.raw, new Date())).text).toContain('✖ /send 失败：草稿中还有待工程师填写的内容');
  });

  test('a refusal is a clear failure on the case, and nothing is resent', async () => {
    smtp.mode = 'permanent';
    drop(await commandMail(`${SUBJECT} /send`));
    await processMailbox(bot);
    await processMailbox(bot);
    const failed = bot.store.events.list('CAS-06079-G5K3W1').filter((e) => e.type === 'send-failed');
    expect(failed.length).toBeGreaterThanOrEqual(1);
    expect(String(failed[0]!.detail.error)).toContain('mailbox unavailable');
    expect(smtp.received).toHaveLength(0);
  });
});
