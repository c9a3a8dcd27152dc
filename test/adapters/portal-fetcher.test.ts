import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { addressKind } from '../../src/adapters/http/address-check';
import { PortalFetcher, type PortalFetcherOptions } from '../../src/adapters/http/portal-fetcher';
import type { Problem } from '../../src/core/intake/problem';
import type { FetchOutcome } from '../../src/ports/bundle-fetcher';
import {
  closedPort,
  GBK_NAME,
  LOG_TEXT,
  logZip,
  makeTestCertificate,
  startPortal,
  startSilentServer,
  UTF8_NAME,
  type PortalServer,
  type TestCertificate,
} from '../helpers/portal-server';

const BASIC = { user: 'acme-upload', password: 'S3cret!' };

const defaults: PortalFetcherOptions = {
  hosts: ['localhost'],
  credentials: null,
  connectTimeoutMs: 300,
  readTimeoutMs: 300,
  totalTimeoutMs: 3000,
  maxBytes: 1024 * 1024,
  retries: 2,
  backoffMs: 10,
  allowLoopback: true,
};

let portal: PortalServer;
let other: PortalServer;
let certificate: TestCertificate;
let dir: string;

beforeAll(async () => {
  certificate = await makeTestCertificate();
  portal = await startPortal({ basic: BASIC });
  // Same host name, another origin: allowed, but not where the credentials were meant to go.
  other = await startPortal({ basic: BASIC });
});

afterAll(async () => {
  await portal.close();
  await other.close();
});

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'casebot-portal-'));
});

afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

function fetcher(overrides: Partial<PortalFetcherOptions> = {}): PortalFetcher {
  return new PortalFetcher({ ...defaults, ...overrides });
}

function expectBundle(outcome: FetchOutcome) {
  if (!outcome.ok) throw new Error(`expected a bundle, got: ${outcome.problem.code} (${outcome.detail})`);
  const { bundle } = outcome;
  expect(path.dirname(bundle.file)).toBe(dir);
  const bytes = fs.readFileSync(bundle.file);
  expect(bundle.size).toBe(bytes.length);
  expect(bundle.sha256).toBe(crypto.createHash('sha256').update(bytes).digest('hex'));
  return { ...bundle, bytes };
}

/** Refused with exactly this problem, and nothing left in the download folder. */
function expectRefused(outcome: FetchOutcome, problem: Partial<Problem>): void {
  expect(outcome).toMatchObject({ ok: false, problem });
  expect(fs.readdirSync(dir)).toEqual([]);
}

const requestsTo = (server: PortalServer, pathPrefix: string) => server.requests.filter((r) => r.path.startsWith(pathPrefix));

describe('downloads', () => {
  test('a zip named by RFC 5987 filename* (UTF-8)', async () => {
    const link = portal.url('/share/utf8name');
    const bundle = expectBundle(await fetcher().fetch(link, dir));
    expect(bundle).toMatchObject({ url: link, finalUrl: link, filename: UTF8_NAME, contentType: 'application/zip' });
    expect(bundle.bytes).toEqual(await logZip());
  });

  test('a zip named by a raw GBK filename', async () => {
    const bundle = expectBundle(await fetcher().fetch(portal.url('/share/gbkname'), dir));
    expect(bundle.filename).toBe(GBK_NAME);
  });

  test('no Content-Disposition: the last URL segment, with the extension of what arrived', async () => {
    const bundle = expectBundle(await fetcher().fetch(portal.url('/share/AbC123'), dir));
    expect(bundle.filename).toBe('AbC123.zip');
  });

  test('a plain-text log', async () => {
    const bundle = expectBundle(await fetcher().fetch(portal.url('/download/setupact.log'), dir));
    expect(bundle).toMatchObject({ filename: 'setupact.log', contentType: 'text/plain' });
    expect(bundle.bytes.toString('utf8')).toBe(LOG_TEXT);
  });

  test('a name that is a path becomes its last segment', async () => {
    const bundle = expectBundle(await fetcher().fetch(portal.url('/download/sneaky-name'), dir));
    expect(bundle.filename).toBe('setuperr.log');
  });

  test.each([
    ['7z', 'application/x-7z-compressed'],
    ['rar', 'application/vnd.rar'],
    ['cab', 'application/vnd.ms-cab-compressed'],
    ['gz', 'application/gzip'],
  ])('a %s archive is kept', async (kind, contentType) => {
    const bundle = expectBundle(await fetcher().fetch(portal.url(`/kind/${kind}`), dir));
    expect(bundle).toMatchObject({ filename: `${kind}.${kind}`, contentType });
  });

  test('a redirect within the allowed host is followed', async () => {
    const bundle = expectBundle(await fetcher().fetch(portal.url('/redirect?to=/share/gbkname'), dir));
    expect(bundle.finalUrl).toBe(portal.url('/share/gbkname'));
    expect(bundle.filename).toBe(GBK_NAME);
  });

  test('a 500 is retried and the second try succeeds', async () => {
    const outcome = await fetcher().fetch(portal.url('/flaky?id=retry-once'), dir);
    expectBundle(outcome);
    expect(requestsTo(portal, '/flaky?id=retry-once')).toHaveLength(2);
  });
});

describe('HTTPS', () => {
  let secure: PortalServer;
  beforeAll(async () => {
    secure = await startPortal({ tls: certificate });
  });
  afterAll(() => secure.close());

  test('with the portal CA trusted', async () => {
    const bundle = expectBundle(await fetcher({ ca: certificate.cert }).fetch(secure.url('/share/utf8name'), dir));
    expect(bundle.filename).toBe(UTF8_NAME);
  });

  test('an untrusted certificate is final, not retried', async () => {
    const before = secure.connections();
    expectRefused(await fetcher().fetch(secure.url('/share/utf8name'), dir), { code: 'TLS_INVALID' });
    expect(secure.connections() - before).toBe(1);
  });
});

describe('credentials', () => {
  test('without them the portal says 401: final, not retried', async () => {
    expectRefused(await fetcher().fetch(portal.url('/private/no-login'), dir), { code: 'PORTAL_DENIED' });
    expect(requestsTo(portal, '/private/no-login')).toEqual([{ path: '/private/no-login', authorization: null }]);
  });

  test('Basic credentials reach the link’s own host', async () => {
    expectBundle(await fetcher({ credentials: BASIC }).fetch(portal.url('/private/with-login'), dir));
  });

  test('a token goes as a Bearer header', async () => {
    await fetcher({ credentials: { token: 'tok-123' } }).fetch(portal.url('/private/token'), dir);
    expect(requestsTo(portal, '/private/token')[0]?.authorization).toBe('Bearer tok-123');
  });

  test('a redirect to another allowed origin does not carry them', async () => {
    const target = other.url('/private/elsewhere');
    const outcome = await fetcher({ credentials: BASIC }).fetch(portal.url(`/redirect?to=${encodeURIComponent(target)}`), dir);
    expectRefused(outcome, { code: 'PORTAL_DENIED' });
    expect(requestsTo(portal, '/redirect?to=' + encodeURIComponent(target))[0]?.authorization).toMatch(/^Basic /);
    expect(requestsTo(other, '/private/elsewhere')).toEqual([{ path: '/private/elsewhere', authorization: null }]);
  });

  test('a redirect to a disallowed host is refused before connecting, so they cannot leak', async () => {
    const outcome = await fetcher({ credentials: BASIC }).fetch(portal.url('/redirect?to=http://evil.example/steal'), dir);
    expectRefused(outcome, { code: 'UNTRUSTED_HOST', host: 'evil.example' });
  });
});

describe('refused links and redirects', () => {
  test.each<[string, (port: number) => string, Partial<Problem>]>([
    ['a loopback IP', (port: number) => `http://127.0.0.1:${port}/share/x`, { code: 'PRIVATE_ADDRESS' }],
    ['a decimal IP', (port: number) => `http://2130706433:${port}/share/x`, { code: 'PRIVATE_ADDRESS' }],
    ['a hex IP', (port: number) => `http://0x7f.0.0.1:${port}/share/x`, { code: 'PRIVATE_ADDRESS' }],
    ['an octal IP', (port: number) => `http://017700000001:${port}/share/x`, { code: 'PRIVATE_ADDRESS' }],
    ['an IPv6 loopback', (port: number) => `http://[::1]:${port}/share/x`, { code: 'PRIVATE_ADDRESS' }],
    ['an IPv4-mapped IPv6', (port: number) => `http://[::ffff:127.0.0.1]:${port}/share/x`, { code: 'PRIVATE_ADDRESS' }],
    ['a public IP', () => 'http://93.184.216.34/share/x', { code: 'IP_ADDRESS_LINK', host: '93.184.216.34' }],
    ['another host', () => 'https://evil.example/share/x', { code: 'UNTRUSTED_HOST', host: 'evil.example' }],
    ['another scheme', (port: number) => `ftp://localhost:${port}/share/x`, { code: 'NOT_HTTP' }],
    ['no URL at all', () => 'cduc.cmgos.com/share/x', { code: 'BAD_LINK' }],
  ])('%s: refused without connecting', async (_what, link, problem) => {
    const before = portal.connections();
    expectRefused(await fetcher().fetch(link(Number(new URL(portal.origin).port)), dir), problem);
    expect(portal.connections()).toBe(before);
  });

  test('a name that resolves to loopback is refused after resolving, without connecting', async () => {
    const before = portal.connections();
    expectRefused(await fetcher({ allowLoopback: false }).fetch(portal.url('/share/x'), dir), { code: 'PRIVATE_ADDRESS' });
    expect(portal.connections()).toBe(before);
  });

  test.each([
    ['10.0.0.1', 'http://10.0.0.1/share/x'],
    ['cloud metadata', 'http://169.254.169.254/latest/meta-data/'],
  ])('a redirect to %s is refused', async (_what, target) => {
    expectRefused(await fetcher().fetch(portal.url(`/redirect?to=${encodeURIComponent(target)}`), dir), { code: 'PRIVATE_ADDRESS' });
  });

  test('a redirect to an allowed host that does not resolve', async () => {
    const outcome = await fetcher({ hosts: ['localhost', 'portal.invalid'] }).fetch(
      portal.url('/redirect?to=http://portal.invalid/share/x'),
      dir,
    );
    expectRefused(outcome, { code: 'DNS_FAILED', host: 'portal.invalid' });
  });

  test('more than five redirects', async () => {
    const before = requestsTo(portal, '/loop').length;
    expectRefused(await fetcher().fetch(portal.url('/loop'), dir), { code: 'TOO_MANY_REDIRECTS' });
    expect(requestsTo(portal, '/loop').length - before).toBe(6);
  });
});

describe('portal answers', () => {
  test('404 is final', async () => {
    expectRefused(await fetcher().fetch(portal.url('/missing'), dir), { code: 'LINK_NOT_FOUND' });
    expect(requestsTo(portal, '/missing')).toHaveLength(1);
  });

  test('503 every time: retried, then given up', async () => {
    expectRefused(await fetcher().fetch(portal.url('/busy?status=503'), dir), { code: 'PORTAL_ERROR', status: 503 });
    expect(requestsTo(portal, '/busy?status=503')).toHaveLength(3);
  });

  test('429 every time: retried, then given up', async () => {
    expectRefused(await fetcher({ retries: 1 }).fetch(portal.url('/busy?status=429'), dir), { code: 'PORTAL_BUSY' });
    expect(requestsTo(portal, '/busy?status=429')).toHaveLength(2);
  });

  test('an HTML login page instead of the file', async () => {
    expectRefused(await fetcher().fetch(portal.url('/login'), dir), { code: 'HTML_PAGE' });
  });

  test('an empty zip', async () => {
    expectRefused(await fetcher().fetch(portal.url('/empty-zip'), dir), { code: 'EMPTY_ZIP' });
  });

  test('binary content that is neither a log nor an archive', async () => {
    expectRefused(await fetcher().fetch(portal.url('/binary'), dir), { code: 'NOT_A_BUNDLE' });
  });
});

describe('limits and timeouts', () => {
  test('Content-Length over the cap: refused before the body', async () => {
    expectRefused(await fetcher().fetch(portal.url('/huge-declared'), dir), { code: 'DOWNLOAD_TOO_LARGE', limitBytes: 1024 * 1024 });
  });

  test('a chunked body that grows over the cap: aborted, the partial file deleted', async () => {
    expectRefused(await fetcher().fetch(portal.url('/huge-chunked'), dir), { code: 'DOWNLOAD_TOO_LARGE', limitBytes: 1024 * 1024 });
  });

  test('no headers: the idle timeout, retried, then given up', async () => {
    const started = Date.now();
    expectRefused(await fetcher().fetch(portal.url('/stall'), dir), { code: 'READ_TIMEOUT', seconds: 0.3 });
    expect(requestsTo(portal, '/stall')).toHaveLength(3);
    expect(Date.now() - started).toBeLessThan(2500);
  });

  test('a body that stops halfway: the idle timeout, the partial file deleted', async () => {
    expectRefused(await fetcher({ retries: 0 }).fetch(portal.url('/trickle'), dir), { code: 'READ_TIMEOUT', seconds: 0.3 });
  });

  test('a body that never ends: the total timeout', async () => {
    const started = Date.now();
    expectRefused(await fetcher({ totalTimeoutMs: 500 }).fetch(portal.url('/drip'), dir), { code: 'DOWNLOAD_TIMEOUT' });
    expect(Date.now() - started).toBeLessThan(1500);
  });

  test('nothing listening: retried, then given up', async () => {
    const port = await closedPort();
    expectRefused(await fetcher().fetch(`http://localhost:${port}/share/x`, dir), { code: 'CONNECT_FAILED' });
  });

  test('a TLS handshake that never completes: the connect timeout', async () => {
    const silent = await startSilentServer();
    try {
      expectRefused(await fetcher({ retries: 0 }).fetch(`https://localhost:${silent.port}/share/x`, dir), { code: 'CONNECT_TIMEOUT' });
    } finally {
      await silent.close();
    }
  });
});

describe('addressKind', () => {
  test.each([
    ['93.184.216.34', 'public'],
    ['8.8.8.8', 'public'],
    ['2606:4700:4700::1111', 'public'],
    ['127.0.0.1', 'loopback'],
    ['127.8.9.10', 'loopback'],
    ['::1', 'loopback'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['0.0.0.0', 'internal'],
    ['10.1.2.3', 'internal'],
    ['172.16.0.1', 'internal'],
    ['172.31.255.255', 'internal'],
    ['192.168.1.1', 'internal'],
    ['100.64.0.1', 'internal'],
    ['100.127.255.255', 'internal'],
    ['169.254.169.254', 'internal'],
    ['224.0.0.251', 'internal'],
    ['255.255.255.255', 'internal'],
    ['::', 'internal'],
    ['fe80::1%eth0', 'internal'],
    ['fd12:3456::1', 'internal'],
    ['ff02::1', 'internal'],
    ['::ffff:10.0.0.1', 'internal'],
    ['::ffff:a9fe:a9fe', 'internal'],
    ['64:ff9b::c0a8:101', 'internal'],
    ['2001:db8::1', 'internal'],
    ['[::1]', 'loopback'],
    ['not-an-address', 'internal'],
  ])('%s is %s', (address, kind) => {
    expect(addressKind(address)).toBe(kind);
  });

  test.each([
    ['172.15.255.255', 'public'],
    ['172.32.0.0', 'public'],
    ['100.63.255.255', 'public'],
    ['100.128.0.0', 'public'],
    ['::ffff:8.8.8.8', 'public'],
  ])('just outside a range: %s is %s', (address, kind) => {
    expect(addressKind(address)).toBe(kind);
  });
});
