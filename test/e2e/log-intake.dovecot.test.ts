// Every way a customer sends logs, against a real Dovecot and a portal on loopback: a portal
// link, "已上传" with the bundle in the team's drop folder (and without it), 7z, split parts,
// winmail.dat, a forwarded mail, .cab, rar, the same zip twice, a mail too big to download, a link to a
// host casebot must not call, and a zip bomb: all in one pass, each case handled on its own.

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import type { Problem } from '../../src/core/intake/problem';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { processMailbox } from '../../src/app/process-mailbox';
import { loadConfig } from '../../src/config/load';
import { createCasebot, type Casebot } from '../../src/main';
import type { Logger } from '../../src/ports/logger';
import { buildBundleZip, type BundleSpec } from '../helpers/bundle-factory';
import { startDovecot, type DovecotServer, connectImapClient } from '../helpers/dovecot';
import { HOSTILE, rar5, sevenZip, tempFolder, winmailDat } from '../helpers/hostile-archives';
import { buildMail } from '../helpers/mail-factory';
import { writeTestConfig } from '../helpers/test-config';

jest.setTimeout(120_000);

const quiet: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };
const CUSTOMER = 'zhaoming@tj.icbc.example.cn';
const ENSEC: BundleSpec = { failure: { kind: 'mig-registry', service: 'Ensec64', value: 'DisplayName', error: 5 }, seed: 3 };
const BCD: BundleSpec = { failure: { kind: 'bcd-clone', guid: '725f2633-59a1-11ec-9c5e-d8bbc1a0d6d3' }, seed: 5 };

let server: DovecotServer;
let portal: http.Server;
let portalPort = 0;
const portalHits: string[] = [];
let bot: Casebot;
let dropFolder: string;

function caseId(n: number): string {
  return `CAS-4${String(n).padStart(4, '0')}-INTAKE`;
}

async function customerMail(
  n: number,
  text: string,
  attachments: { filename: string; content: Buffer; contentType?: string }[] = [],
): Promise<Buffer> {
  return buildMail({
    from: `赵明 <${CUSTOMER}>`,
    to: ['weiliang@cmgos.com'],
    subject: `[案例号: ${caseId(n)} ] 升级失败`,
    date: `2022-05-0${1 + (n % 8)}T10:00:00+08:00`,
    messageId: `<intake-${n}-${attachments.length}-${text.length}@tj.icbc.example.cn>`,
    text,
    attachments,
  });
}

function draftText(n: number): string {
  return bot.store.drafts.live(caseId(n))?.bodyText ?? '';
}

function bundleEvents(n: number): { file: string; sha256: string | null; reused: boolean; findings: string[]; problems: Problem[] }[] {
  return bot.store.events
    .list(caseId(n))
    .filter((e) => e.type === 'mail-received')
    .flatMap(
      (e) =>
        (e.detail as { bundles: { file: string; sha256: string | null; reused: boolean; findings: string[]; problems: Problem[] }[] })
          .bundles,
    );
}

const startedAt = Date.now();

beforeAll(async () => {
  server = await startDovecot();
  process.env.CASEBOT_TEST_IMAP_PASSWORD = server.password;
  const ensecZip = await buildBundleZip(ENSEC);
  portal = http.createServer((req, res) => {
    portalHits.push(req.url ?? '');
    if (req.url === '/share/ENSEC123') {
      res.writeHead(200, { 'content-type': 'application/zip', 'content-disposition': 'attachment; filename="CMGELogCollector_PC01.zip"' });
      return res.end(ensecZip);
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => portal.listen(0, '127.0.0.1', resolve));
  portalPort = (portal.address() as AddressInfo).port;
  dropFolder = tempFolder();

  const client = await connectImapClient(server);
  const bcdZip = await buildBundleZip(BCD);
  const work = tempFolder();
  fs.writeFileSync(path.join(work, 'CMGELogCollector.zip'), bcdZip);
  const mails: Buffer[] = [
    // 1: a link to the portal, in the customer's own words.
    await customerMail(1, `日志已上传，链接：http://localhost:${portalPort}/share/ENSEC123，请查收。`),
    // 2: "已上传" without a link; the team's drop folder has it under the case id.
    await customerMail(2, '日志已经上传到CDUC了，请查看。'),
    // 3: "已上传" without a link, and nothing in the drop folder.
    await customerMail(3, '日志已上传到平台。'),
    // 4: 7z.
    await customerMail(4, '日志见附件（7z）', [
      { filename: 'CMGELogCollector.7z', content: sevenZip(work, 'logs.7z', ['CMGELogCollector.zip']) },
    ]),
    // 5: split into two parts by 7-Zip.
    await customerMail(5, '日志太大，分卷发送', splitParts(work, bcdZip)),
    // 6: winmail.dat from Outlook.
    await customerMail(6, '日志见附件', [
      {
        filename: 'winmail.dat',
        content: winmailDat([{ name: 'CMGELogCollector.zip', content: bcdZip }]),
        contentType: 'application/ms-tnef',
      },
    ]),
    // 7: the customer forwarded the earlier mail that had the logs.
    await customerMail(7, '转发之前的邮件，日志在里面', [
      {
        filename: 'earlier.eml',
        contentType: 'message/rfc822',
        content: await buildMail({
          from: CUSTOMER,
          to: ['it@tj.icbc.example.cn'],
          subject: '日志',
          date: '2022-04-30T10:00:00+08:00',
          messageId: '<inner-7@tj.icbc.example.cn>',
          text: '日志',
          attachments: [{ filename: 'CMGELogCollector.zip', content: bcdZip }],
        }),
      },
    ]),
    // 8: the same zip sent twice.
    await customerMail(8, '日志见附件', [{ filename: 'CMGELogCollector.zip', content: bcdZip }]),
    await customerMail(8, '再发一次日志', [{ filename: 'CMGELogCollector (1).zip', content: bcdZip }]),
    // 9: far over the mail size limit (8 MB in this config).
    await customerMail(9, '日志见附件', [{ filename: 'huge.zip', content: Buffer.alloc(9 * 1024 * 1024, 7) }]),
    // 10: a link to an IP address: never called.
    await customerMail(10, `日志：http://127.0.0.1:${portalPort}/share/ENSEC123`),
    // 11: a zip bomb.
    await customerMail(11, '日志见附件', [
      { filename: 'bomb.zip', content: await HOSTILE['zip bomb: 1 GB of zeros deflated to 1 MB']!.build() },
    ]),
    // 12: a .cab as Windows tools write it (gcab), and 13: rar5.
    await customerMail(12, '日志见附件', [{ filename: 'UpgradeLogs.cab', content: cabOf(work, bcdZip) }]),
    await customerMail(13, '日志见附件', [
      { filename: 'UpgradeLogs.rar', content: rar5([{ name: 'CMGELogCollector.zip', content: bcdZip }]) },
    ]),
    // 14: big enough (about 6 MB) to be streamed from a temp file rather than held in memory.
    await customerMail(14, '日志和截图见附件', [
      { filename: 'CMGELogCollector.zip', content: bcdZip },
      { filename: 'screen.png', content: Buffer.alloc(4 * 1024 * 1024, 9), contentType: 'image/png' },
    ]),
  ];
  fs.mkdirSync(path.join(dropFolder, `${caseId(2)}-upload`));
  fs.writeFileSync(path.join(dropFolder, `${caseId(2)}-upload`, 'CMGELogCollector.zip'), bcdZip);
  for (const raw of mails) await client.append('INBOX', raw);
  await client.logout();

  const file = writeTestConfig({
    imap: { host: server.host, port: server.port, user: server.user, passwordEnv: 'CASEBOT_TEST_IMAP_PASSWORD' },
    extra: {
      portal: {
        name: 'CDUC',
        url: `http://localhost:${portalPort}`,
        hosts: ['localhost'],
        pathPatterns: ['^/share/'],
        allowLoopback: true,
        retries: 0,
        connectTimeoutSeconds: 2,
        readTimeoutSeconds: 2,
        totalTimeoutSeconds: 5,
      },
      intake: { maxMailMB: 8, dropFolder },
    },
  });
  bot = createCasebot(loadConfig(file), quiet);
  await bot.mailbox.open();
  await processMailbox(bot);
});

afterAll(async () => {
  await bot?.close();
  await new Promise((resolve) => portal?.close(resolve));
  await server?.stop();
});

function cabOf(work: string, zip: Buffer): Buffer {
  const dir = fs.mkdtempSync(path.join(work, 'cab-'));
  fs.writeFileSync(path.join(dir, 'CMGELogCollector.zip'), zip);
  execFileSync('gcab', ['-c', '-z', 'logs.cab', 'CMGELogCollector.zip'], { cwd: dir, stdio: 'ignore' });
  return fs.readFileSync(path.join(dir, 'logs.cab'));
}

function splitParts(work: string, zip: Buffer): { filename: string; content: Buffer }[] {
  const dir = fs.mkdtempSync(path.join(work, 'split-'));
  fs.writeFileSync(path.join(dir, 'CMGELogCollector.zip'), zip);
  execFileSync('7zz', ['a', `-v${Math.ceil(zip.length / 2 + 1024)}b`, '-mx0', 'logs.7z', 'CMGELogCollector.zip'], {
    cwd: dir,
    stdio: 'ignore',
  });
  return fs
    .readdirSync(dir)
    .filter((f) => /^logs\.7z\.\d{3}$/.test(f))
    .sort()
    .map((f) => ({ filename: f, content: fs.readFileSync(path.join(dir, f)) }));
}

test('a portal link is downloaded and diagnosed', () => {
  expect(bundleEvents(1)).toEqual([
    expect.objectContaining({ file: 'CMGELogCollector_PC01.zip', findings: expect.arrayContaining(['mig-apply-object']) }),
  ]);
  expect(draftText(1)).toContain('Ensec64');
});

test('"已上传" without a link: the bundle is taken from the drop folder', () => {
  expect(bundleEvents(2)).toEqual([
    expect.objectContaining({ file: 'CMGELogCollector.zip', findings: expect.arrayContaining(['bcd-clone-failure']) }),
  ]);
  expect(draftText(2)).toContain('bcdedit /delete {725f2633-59a1-11ec-9c5e-d8bbc1a0d6d3}');
});

test('"已上传" without a link and nothing in the drop folder: the draft asks for the link', () => {
  expect(bundleEvents(3)[0]!.problems).toEqual([{ code: 'UPLOAD_NOT_FOUND' }]);
  expect(draftText(3)).toContain('下载链接');
});

test.each([
  [4, '7z'],
  [5, 'split 7z parts'],
  [6, 'winmail.dat'],
  [7, 'a forwarded mail'],
  [12, 'a .cab'],
  [13, 'rar5'],
  [14, 'a mail big enough to be streamed'],
])('case %i: logs in %s are read and diagnosed', (n) => {
  expect(bundleEvents(n).flatMap((b) => b.findings)).toContain('bcd-clone-failure');
  expect(draftText(n)).toContain('bcdedit /delete {725f2633-59a1-11ec-9c5e-d8bbc1a0d6d3}');
});

test('the same zip twice is analyzed once; both are on the record', () => {
  const bundles = bundleEvents(8);
  expect(bundles).toHaveLength(2);
  expect(bundles[0]!.sha256).toBe(bundles[1]!.sha256);
  expect(bundles.map((b) => b.reused)).toEqual([false, true]);
  expect(draftText(8)).toContain('bcdedit /delete');
});

test('a mail over the size limit is not downloaded: recorded, left in the mailbox, and the draft asks for an upload', async () => {
  expect(bundleEvents(9)[0]!.problems).toEqual([expect.objectContaining({ code: 'MAIL_TOO_LARGE', limitBytes: 8 * 1024 * 1024 })]);
  expect(draftText(9)).toContain('超过了 8 MB 的上限');
  const client = await connectImapClient(server);
  const status = await client.status('INBOX', { messages: true });
  await client.logout();
  expect(status.messages).toBe(15);
});

test('a link to an IP address is refused without a request, and recorded', () => {
  expect(portalHits.filter((h) => h === '/share/ENSEC123')).toHaveLength(1); // case 1 only
  expect(bundleEvents(10)[0]!.problems).toEqual([expect.objectContaining({ code: 'UNTRUSTED_HOST' })]);
});

test('a zip bomb is refused with its reason while the other cases are served', () => {
  expect(bundleEvents(11)[0]!.problems).toEqual([expect.objectContaining({ code: 'ENTRY_TOO_LARGE', limitBytes: 512 * 1024 * 1024 })]);
  expect(draftText(11)).toContain('超过 512 MB');
});

test('no temp file of a mail or a download is left behind', () => {
  const left = fs
    .readdirSync(os.tmpdir())
    .filter((name) => /^casebot-(mail|download)-/.test(name))
    .filter((name) => fs.statSync(path.join(os.tmpdir(), name)).mtimeMs >= startedAt);
  expect(left).toEqual([]);
});
