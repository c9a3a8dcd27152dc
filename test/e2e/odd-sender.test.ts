// Senders as real clients write them: the whole `name <addr>` inside one GBK encoded-word, or a
// From with no address at all. The draft still goes to the thread's customer, greeted by name.

import iconv from 'iconv-lite';
import { seedMail, seedReplay } from '../helpers/seed-replay';

const SUBJECT = '[案例号: CAS-06079-G5K3W1 ] % 工行升级-天津分行升级报错回退分析 % 初次响应 CMIT:0001252';

function mailFrom(fromHeader: string, messageId: string): Buffer {
  const subject = `=?GBK?B?${iconv.encode(`回复: ${SUBJECT}`, 'gbk').toString('base64')}?=`;
  const body = iconv.encode('您好：\r\n我们这边还是升级失败，请问下一步怎么处理？\r\n\r\n赵明\r\n', 'gbk').toString('base64');
  return Buffer.from(
    [
      `From: ${fromHeader}`,
      'To: weiliang@cmgos.com',
      'Cc: support@cmgos.com',
      `Subject: ${subject}`,
      `Message-ID: <${messageId}>`,
      'In-Reply-To: <202204151542101803515@tj.icbc.example.cn>',
      'Date: Mon, 18 Apr 2022 10:12:36 +0800',
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=GBK',
      'Content-Transfer-Encoding: base64',
      '',
      body,
      '',
    ].join('\r\n'),
  );
}

test.each([
  [
    'the whole name <addr> in one GBK encoded-word',
    `=?GBK?B?${iconv.encode('赵明 <zhaoming@tj.icbc.example.cn>', 'gbk').toString('base64')}?=`,
  ],
  ['a name and no address at all', `=?GBK?B?${iconv.encode('赵明', 'gbk').toString('base64')}?=`],
])(
  '%s: the draft goes to the thread’s customer with the right salutation',
  async (_name, fromHeader) => {
    const replay = seedReplay();
    replay.deliver(seedMail('01-opening.eml'));
    await replay.pass();
    await replay.sendDraft();
    replay.deliver(mailFrom(fromHeader, `odd-${_name.length}@tj.icbc.example.cn`));
    await replay.pass();
    const [draft] = await replay.drafts();
    expect(draft!.mail.to && !Array.isArray(draft!.mail.to) ? draft!.mail.to.value.map((a) => a.address) : []).toEqual([
      'zhaoming@tj.icbc.example.cn',
    ]);
    expect(draft!.mail.text).toMatch(/^赵先生 您好：/);
  },
  30_000,
);
