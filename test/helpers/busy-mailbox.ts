// A thread-heavy Maildir for the fault tests: many cases, each a few mails long, some with log
// bundles, some answered by the engineer (in Sent), some confirmed by the customer.

import fs from 'node:fs';
import path from 'node:path';
import { buildBundleZip } from './bundle-factory';
import { buildMail, maildirFileName } from './mail-factory';
import { tempMaildir } from './temp-maildir';

export async function busyMailbox(cases: number, seed = 1): Promise<{ root: string; mails: number }> {
  const root = tempMaildir();
  let rand = seed;
  const next = () => (rand = (rand * 48271) % 2147483647) / 2147483647;
  const bundle = await buildBundleZip({
    failure: { kind: 'bcd-clone', guid: '3f2a9c1e-8b47-4d21-a6f0-5c9e7d1b2a34' },
    noiseLines: 500,
    seed: 3,
  });
  let mails = 0;
  let clock = Date.UTC(2023, 0, 1);
  for (let c = 0; c < cases; c++) {
    const caseId = `CAS-${String(10000 + c)}-BUSY${String(c % 100).padStart(2, '0')}`;
    const subject = `[案例号: ${caseId} ] % 单位${c}升级报错 % 初次响应`;
    const customer = `kehu${c}@unit${c}.example.cn`;
    let previous: string | null = null;
    const steps = 2 + Math.floor(next() * 4);
    for (let s = 0; s < steps; s++) {
      clock += 60000 + Math.floor(next() * 3600000);
      const fromEngineer = s > 0 && next() < 0.3;
      const messageId = `<busy.${c}.${s}@${fromEngineer ? 'cmgos.com' : `unit${c}.example.cn`}>`;
      const withLogs = !fromEngineer && s > 0 && next() < 0.3;
      const success = !fromEngineer && s === steps - 1 && next() < 0.3;
      const raw = await buildMail({
        from: fromEngineer ? 'Wei Liang <weiliang@cmgos.com>' : customer,
        to: [fromEngineer ? customer : 'weiliang@cmgos.com'],
        subject: s === 0 ? subject : `回复: ${subject}`,
        date: new Date(clock).toISOString(),
        messageId,
        ...(previous ? { inReplyTo: previous, references: [previous] } : {}),
        text: success ? '按照您的方法处理后，升级成功了，谢谢。' : withLogs ? '日志见附件。' : '升级失败了，请帮忙看看。',
        ...(withLogs ? { attachments: [{ filename: 'CMGELogCollector.zip', content: bundle, contentType: 'application/zip' }] } : {}),
      });
      const dir = fromEngineer ? path.join(root, '.Sent', 'cur') : path.join(root, 'new');
      fs.writeFileSync(path.join(dir, maildirFileName(new Date(clock).toISOString(), ++mails, fromEngineer ? 'S' : '')), raw);
      previous = messageId;
    }
  }
  return { root, mails };
}
