// The whole hostile corpus through the mailbox, against a real Dovecot and a portal on loopback:
// each hostile archive attached to a case mail of its own, and links the portal answers badly
// (401, a redirect off the portal, a login page, a body over the cap, a body that stalls), among
// good cases, all in one pass. Each hostile input is refused with its reason, recorded on its
// case, and answered by a draft asking for the logs again; the good cases are diagnosed; nothing
// is quarantined and every mail stays in the mailbox.

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { processMailbox } from '../../src/app/process-mailbox';
import { describeProblems } from '../../src/core/draft/templates';
import type { Problem } from '../../src/core/intake/problem';
import { loadConfig } from '../../src/config/load';
import { createCasebot, type Casebot } from '../../src/main';
import type { Logger } from '../../src/ports/logger';
import { buildBundleZip } from '../helpers/bundle-factory';
import { startDovecot, type DovecotServer, connectImapClient } from '../helpers/dovecot';
import { HOSTILE, HOSTILE_REFUSALS } from '../helpers/hostile-archives';
import { buildMail } from '../helpers/mail-factory';
import { writeTestConfig } from '../helpers/test-config';

jest.setTimeout(180_000);

const quiet: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };
const CUSTOMER = 'zhaoming@tj.icbc.example.cn';
const GUID = '0c3a61f2-8d17-4f0e-9d2b-51e7a4c9b6d8';

/** Portal paths and what the portal does there. */
const BAD_LINKS: Record<string, Partial<Problem>> = {
  '/share/AUTH': { code: 'PORTAL_DENIED' },
  '/share/AWAY': { code: 'UNTRUSTED_HOST', host: 'evil.example' },
  '/share/LOGIN': { code: 'HTML_PAGE' },
  '/share/HUGE': { code: 'DOWNLOAD_TOO_LARGE', limitBytes: 16 * 1024 * 1024 },
  '/share/STALL': { code: 'READ_TIMEOUT', seconds: 1 },
};

let server: DovecotServer;
let portal: http.Server;
let bot: Casebot;
let goodZip: Buffer;
const names = Object.keys(HOSTILE);
let portalHits: string[] = [];

const hostileCase = (i: number) => `CAS-5${String(i).padStart(4, '0')}-HOSTIL`;
const linkCase = (i: number) => `CAS-6${String(i).padStart(4, '0')}-BADURL`;
const goodCase = (i: number) => `CAS-7${String(i).padStart(4, '0')}-GOODLG`;

function mail(caseId: string, n: number, text: string, attachments: { filename: string; content: Buffer }[] = []): Promise<Buffer> {
  return buildMail({
    from: `赵明 <${CUSTOMER}>`,
    to: ['weiliang@cmgos.com'],
    subject: `[案例号: ${caseId} ] 升级失败`,
    date: '2022-05-01T10:00:00+08:00',
    messageId: `<hostile-${n}@tj.icbc.example.cn>`,
    text,
    attachments,
  });
}

/** Every problem recorded on the case: the bundles' own, and what the analysis of their files met. */
function recordedProblems(caseId: string): Problem[] {
  const received = bot.store.events.list(caseId).filter((e) => e.type === 'mail-received');
  const bundles = received.flatMap((e) => (e.detail as { bundles: { problems: Problem[] }[] }).bundles);
  const view = bot.store.loadCaseView(caseId);
  const analysisProblems = view.messages.flatMap((m) => m.analysis?.problems ?? []);
  return [...bundles.flatMap((b) => b.problems), ...analysisProblems];
}

function draftOf(caseId: string): { kind: string; bodyText: string } | null {
  return bot.store.drafts.live(caseId);
}

beforeAll(async () => {
  server = await startDovecot();
  process.env.CASEBOT_TEST_IMAP_PASSWORD = server.password;
  goodZip = await buildBundleZip({ failure: { kind: 'bcd-clone', guid: GUID }, seed: 11 });
  portal = http.createServer((req, res) => {
    portalHits.push(req.url ?? '');
    switch (req.url) {
      case '/share/GOOD':
        res.writeHead(200, { 'content-type': 'application/zip', 'content-disposition': 'attachment; filename="CMGELogCollector.zip"' });
        return res.end(goodZip);
      case '/share/AUTH':
        return res.writeHead(401, { 'www-authenticate': 'Basic realm="CDUC"' }).end();
      case '/share/AWAY':
        return res.writeHead(302, { location: 'http://evil.example/steal' }).end();
      case '/share/LOGIN':
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        return res.end(
          '<!DOCTYPE html><html><head><title>CDUC 登录</title></head><body><form action="/login"><input name="user"></form></body></html>',
        );
      case '/share/HUGE':
        res.writeHead(200, { 'content-type': 'application/zip', 'content-length': String(64 * 1024 * 1024) });
        return res.end();
      case '/share/STALL':
        res.writeHead(200, { 'content-type': 'application/zip' });
        res.write(goodZip.subarray(0, 100)); // then silence: the idle timeout ends it
        return undefined;
      default:
        return res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => portal.listen(0, '127.0.0.1', resolve));
  const base = `http://localhost:${(portal.address() as AddressInfo).port}`;

  const mails: Buffer[] = [];
  let n = 0;
  for (const [i, name] of names.entries()) {
    mails.push(
      await mail(hostileCase(i), n++, '日志见附件', [{ filename: HOSTILE[name]!.filename, content: await HOSTILE[name]!.build() }]),
    );
    // A good case between every two hostile ones: the mailbox goes on.
    if (i % 2 === 1) mails.push(await mail(goodCase(i), n++, '日志见附件', [{ filename: 'CMGELogCollector.zip', content: goodZip }]));
  }
  for (const [i, path] of Object.keys(BAD_LINKS).entries()) mails.push(await mail(linkCase(i), n++, `日志已上传，链接：${base}${path}`));
  // Attached and linked: the same bytes, one bundle, analyzed once.
  mails.push(
    await mail(goodCase(99), n++, `日志见附件，也上传了：${base}/share/GOOD`, [{ filename: 'CMGELogCollector.zip', content: goodZip }]),
  );

  const client = await connectImapClient(server);
  for (const raw of mails) await client.append('INBOX', raw);
  await client.logout();

  const file = writeTestConfig({
    imap: { host: server.host, port: server.port, user: server.user, passwordEnv: 'CASEBOT_TEST_IMAP_PASSWORD' },
    extra: {
      portal: {
        name: 'CDUC',
        url: base,
        hosts: ['localhost'],
        pathPatterns: ['^/share/'],
        allowLoopback: true,
        retries: 0,
        maxMB: 16,
        connectTimeoutSeconds: 2,
        readTimeoutSeconds: 1,
        totalTimeoutSeconds: 5,
      },
    },
  });
  bot = createCasebot(loadConfig(file), quiet);
  await bot.mailbox.open();
  portalHits = [];
  await processMailbox(bot);
});

afterAll(async () => {
  await bot?.close();
  await new Promise((resolve) => portal?.close(resolve));
  await server?.stop();
});

test.each(names.map((name, i) => [name, i] as const))(
  '%s: refused with its reason, recorded, and the draft asks for the logs again',
  (name, i) => {
    const caseId = hostileCase(i);
    const problems = recordedProblems(caseId);
    for (const expected of HOSTILE_REFUSALS[name]!.problems) expect(problems).toContainEqual(expect.objectContaining(expected));
    if (name.startsWith('zip bomb whose directory lies'))
      expect(problems).toContainEqual(expect.objectContaining({ code: 'ENTRY_SIZE_MISMATCH', entry: 'setupact.log' }));
    const draft = draftOf(caseId);
    expect(draft?.kind).toBe('log-rerequest');
    // The customer is told what was wrong with what they sent, in the sentence problems.yaml gives the code.
    const told = problems[0]!;
    expect(draft!.bodyText).toContain(describeProblems(bot.render, bot.settings.portal)(told).replace(/。$/, ''));
    expect(draft!.bodyText).not.toMatch(/7-Zip|bsdtar|yauzl/);
  },
);

test.each(Object.entries(BAD_LINKS).map(([path, expected], i) => [path, expected, i] as const))(
  'a link the portal answers badly (%s) is refused with its code',
  (path, expected, i) => {
    const problems = recordedProblems(linkCase(i));
    expect(problems).toContainEqual(expect.objectContaining({ ...expected, url: expect.stringContaining(path) as unknown }));
    expect(draftOf(linkCase(i))?.kind).toBe('log-rerequest');
  },
);

test('no redirect off the portal is followed', () => {
  expect(portalHits.filter((h) => h === '/steal')).toEqual([]);
});

test('the good cases among them are diagnosed', () => {
  const good = names.map((_, i) => i).filter((i) => i % 2 === 1);
  expect(good.length).toBeGreaterThan(5);
  for (const i of good) {
    expect(draftOf(goodCase(i))?.kind).toBe('diagnosis');
    expect(draftOf(goodCase(i))!.bodyText).toContain(`bcdedit /delete {${GUID}}`);
  }
});

test('a bundle both attached and linked is one bundle, analyzed once', () => {
  const received = bot.store.events.list(goodCase(99)).filter((e) => e.type === 'mail-received');
  const bundles = received.flatMap((e) => (e.detail as { bundles: { sha256: string | null }[] }).bundles);
  expect(bundles).toHaveLength(1);
  expect(portalHits.filter((h) => h === '/share/GOOD')).toHaveLength(1);
  expect(draftOf(goodCase(99))?.kind).toBe('diagnosis');
});

test('nothing is quarantined and every mail stays in the mailbox', async () => {
  expect(bot.store.quarantine.pending()).toEqual([]);
  const client = await connectImapClient(server);
  const status = await client.status('INBOX', { messages: true });
  await client.logout();
  expect(status.messages).toBe(names.length + Math.floor(names.length / 2) + Object.keys(BAD_LINKS).length + 1);
});
