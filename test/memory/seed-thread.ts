// The seed case as an archive holds it: the customer's four mails (mailbox-fixtures/seed-case)
// and the engineer's real replies from test/fixtures/seed-case, each answering the customer mail
// before it, plus closed threads of other customers made the same way.

import fs from 'node:fs';
import path from 'node:path';
import { buildBundleZip, type Failure } from '../helpers/bundle-factory';
import { buildMail, maildirFileName } from '../helpers/mail-factory';

export const SEED_CASE = 'CAS-06079-G5K3W1';
export const SEED_SUBJECT = `回复: [案例号: ${SEED_CASE} ] % 工行升级-天津分行升级报错回退分析 % 初次响应 CMIT:0001252`;
const SEED_IDS = ['202204151542101803515', '202204181012366215073', '202204241620051007607', '202204270948516418542'].map(
  (id) => `${id}@tj.icbc.example.cn`,
);
const ENGINEER = 'Wei Liang <weiliang@cmgos.com>';

export const seedCustomerMail = (n: number): Buffer =>
  fs.readFileSync(
    path.join(
      __dirname,
      '../../mailbox-fixtures/seed-case',
      ['01-opening.eml', '02-logs-ensec64.eml', '03-logs-bcd.eml', '04-confirm-success.eml'][n]!,
    ),
  );

/** The engineer's mails of the real case, by number (1-based, as in the transcript). */
export function seedEngineerText(n: number): string {
  const transcript = fs.readFileSync(path.join(__dirname, '../fixtures/seed-case/CAS-06079-G5K3W1.txt'), 'utf8');
  const section = transcript.split(/====第\d封邮件====/)[n]!;
  return section.split('邮件内容:')[1]!.trim();
}

/** Which engineer mail answered which customer mail: scope, Ensec64 diagnosis, BCD diagnosis, closure. */
const REPLIES: [customer: number, engineer: number, date: string][] = [
  [0, 1, '2022-04-15T17:15:38+08:00'],
  [1, 2, '2022-04-19T17:23:15+08:00'],
  [2, 5, '2022-04-25T10:31:57+08:00'],
  [3, 6, '2022-04-27T11:18:53+08:00'],
];

export async function seedEngineerReply(step: number): Promise<Buffer> {
  const [customer, engineer, date] = REPLIES[step]!;
  return buildMail({
    from: ENGINEER,
    to: ['zhaoming@tj.icbc.example.cn'],
    cc: ['support@cmgos.com'],
    subject: SEED_SUBJECT,
    date,
    messageId: `<seed.reply.${engineer}@cmgos.com>`,
    inReplyTo: `<${SEED_IDS[customer]}>`,
    references: SEED_IDS.slice(0, customer + 1).map((id) => `<${id}>`),
    text: seedEngineerText(engineer),
  });
}

export interface OtherThread {
  caseId: string;
  customer: string;
  organisation: string;
  failure: Failure;
  description: string;
  summary: string;
}

/** A whole closed thread of another customer: opening with logs, the diagnosis, success, the closure. */
export async function otherThreadMails(t: OtherThread, day: number): Promise<{ inbox: [string, Buffer][]; sent: [string, Buffer][] }> {
  const subject = `[案例号: ${t.caseId} ] % ${t.organisation}-终端升级失败 % 初次响应`;
  const date = (hour: number) => `2023-03-${String(day).padStart(2, '0')}T${String(hour).padStart(2, '0')}:00:00+08:00`;
  const id = (n: number) => `<${t.caseId}.${n}@example.cn>`;
  const zip = await buildBundleZip({ failure: t.failure, noiseLines: 2000, seed: day, hostname: `PC-${day}` });
  const inbox: [string, Buffer][] = [
    [
      date(9),
      await buildMail({
        from: t.customer,
        to: ['weiliang@cmgos.com'],
        subject,
        date: date(9),
        messageId: id(1),
        text: `您好：\n${t.description}\n日志见附件。`,
        attachments: [{ filename: `CMGELogCollector_PC-${day}.zip`, content: zip, contentType: 'application/x-zip-compressed' }],
      }),
    ],
    [
      date(15),
      await buildMail({
        from: t.customer,
        to: ['weiliang@cmgos.com'],
        subject: `回复: ${subject}`,
        date: date(15),
        messageId: id(3),
        inReplyTo: id(2),
        references: [id(1), id(2)],
        text: '您好：\n按照方法处理后升级成功了，谢谢！',
      }),
    ],
  ];
  const sent: [string, Buffer][] = [
    [
      date(11),
      await buildMail({
        from: ENGINEER,
        to: [t.customer],
        subject: `回复: ${subject}`,
        date: date(11),
        messageId: id(2),
        inReplyTo: id(1),
        references: [id(1)],
        text: `您好：\n分析了您上传的日志，请按以下方法处理后再次验证升级情况。\n${t.summary}`,
      }),
    ],
    [
      date(16),
      await buildMail({
        from: ENGINEER,
        to: [t.customer],
        subject: `回复: ${subject}`,
        date: date(16),
        messageId: id(4),
        inReplyTo: id(3),
        references: [id(1), id(2), id(3)],
        text: `您好：\n经过您的同意，我将归档此案例。\n案例总结：\n----\n问题定义：\n${t.description}\n问题总结：\n${t.summary}\n`,
      }),
    ],
  ];
  return { inbox, sent };
}

/** An archive Maildir of closed threads: the seed case and the others. */
export async function archiveMaildir(root: string, others: OtherThread[]): Promise<void> {
  for (const folder of ['', '.Sent'])
    for (const sub of ['cur', 'new', 'tmp']) fs.mkdirSync(path.join(root, folder, sub), { recursive: true });
  let seq = 0;
  const put = (folder: '' | '.Sent', date: string, raw: Buffer) =>
    fs.writeFileSync(path.join(root, folder, 'cur', maildirFileName(date, ++seq, 'S')), raw);
  const seedDates = ['2022-04-15T15:42:10+08:00', '2022-04-18T10:12:36+08:00', '2022-04-24T16:20:05+08:00', '2022-04-27T09:48:51+08:00'];
  for (let i = 0; i < 4; i++) {
    put('', seedDates[i]!, seedCustomerMail(i));
    put('.Sent', REPLIES[i]![2], await seedEngineerReply(i));
  }
  for (const [i, t] of others.entries()) {
    const { inbox, sent } = await otherThreadMails(t, i + 3);
    for (const [date, raw] of inbox) put('', date, raw);
    for (const [date, raw] of sent) put('.Sent', date, raw);
  }
}
