/**
 * A stand-in for the CDUC upload portal on 127.0.0.1, over HTTP or HTTPS (a throw-away
 * self-signed certificate made with the openssl binary), with one route per way a real portal
 * or a hostile link can behave. It records every connection and request so tests can prove
 * what was (not) sent and that refused links never connected at all.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import iconv from 'iconv-lite';
import { ZipFile } from 'yazl';

export const LOG_TEXT = '2024-03-05 10:11:12, Info                  MOUPG  SetupHost: Reporting error event: [0xC1900101]\r\n';
/** The name 升级日志-PC01.zip, as a Chinese Windows server puts it raw into Content-Disposition. */
export const GBK_NAME = '升级日志-PC01.zip';
export const UTF8_NAME = '升级日志 (3月5日).zip';

export interface TestCertificate {
  cert: string;
  key: string;
}

export interface PortalRequest {
  path: string;
  authorization: string | null;
}

export interface PortalServer {
  /** `http://localhost:<port>` or `https://localhost:<port>`. */
  origin: string;
  url(pathAndQuery: string): string;
  /** TCP connections accepted so far. */
  connections(): number;
  requests: PortalRequest[];
  close(): Promise<void>;
}

export interface PortalOptions {
  tls?: TestCertificate;
  /** `/private/*` answers 401 unless these Basic credentials come with the request. */
  basic?: { user: string; password: string };
  /** Steady-drip routes send one byte this often. */
  dripMs?: number;
}

/** A real zip with one setup log in it. */
export function logZip(): Promise<Buffer> {
  const zip = new ZipFile();
  zip.addBuffer(Buffer.from(LOG_TEXT.repeat(50)), 'UpgradeLog/setupact.log', { mtime: new Date('2024-03-05T02:00:00Z') });
  zip.end();
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    zip.outputStream.on('data', (c: Buffer) => chunks.push(c));
    zip.outputStream.on('end', () => resolve(Buffer.concat(chunks)));
    zip.outputStream.on('error', reject);
  });
}

export const MAGIC: Record<string, Buffer> = {
  '7z': Buffer.from([0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c, 0x00, 0x04]),
  rar: Buffer.from('Rar!\x1a\x07\x01\x00', 'latin1'),
  cab: Buffer.from('MSCF\0\0\0\0', 'latin1'),
  gz: Buffer.from([0x1f, 0x8b, 0x08, 0x00]),
};

/** A self-signed certificate for `localhost`, made in a temp folder that is removed again. */
export async function makeTestCertificate(): Promise<TestCertificate> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'casebot-cert-'));
  try {
    const [key, cert] = [path.join(dir, 'key.pem'), path.join(dir, 'cert.pem')];
    await promisify(execFile)('openssl', [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      key,
      '-out',
      cert,
      '-days',
      '1',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=DNS:localhost',
    ]);
    return { cert: fs.readFileSync(cert, 'utf8'), key: fs.readFileSync(key, 'utf8') };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export async function startPortal(options: PortalOptions = {}): Promise<PortalServer> {
  const zip = await logZip();
  const dripMs = options.dripMs ?? 50;
  const requests: PortalRequest[] = [];
  const flakyFailed = new Set<string>();
  const timers = new Set<NodeJS.Timeout>();
  let connections = 0;

  const sendZip = (res: http.ServerResponse, disposition?: string) => {
    res.writeHead(200, {
      'content-type': 'application/octet-stream',
      'content-length': zip.length,
      ...(disposition ? { 'content-disposition': disposition } : {}),
    });
    res.end(zip);
  };
  // Written on the socket by hand: node:http will not put raw GBK bytes into a header.
  const gbkResponse = Buffer.concat([
    Buffer.from(
      `HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: ${zip.length}\r\nConnection: close\r\nContent-Disposition: attachment; filename="`,
    ),
    iconv.encode(GBK_NAME, 'gbk'),
    Buffer.from('"\r\n\r\n'),
    zip,
  ]);
  const utf8Disposition = `attachment; filename="upgrade.zip"; filename*=UTF-8''${encodeURIComponent(UTF8_NAME)}`;

  const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    requests.push({ path: url.pathname + url.search, authorization: req.headers.authorization ?? null });
    const route = url.pathname;
    if (route === '/share/utf8name') return sendZip(res, utf8Disposition);
    if (route === '/share/gbkname') return void req.socket.end(gbkResponse);
    if (route.startsWith('/share/')) return sendZip(res);
    if (route === '/download/setupact.log') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      return res.end(LOG_TEXT);
    }
    if (route === '/download/sneaky-name') {
      res.writeHead(200, { 'content-disposition': 'attachment; filename="..\\..\\Windows\\System32\\setuperr"' });
      return res.end(LOG_TEXT);
    }
    if (route.startsWith('/kind/')) {
      const magic = MAGIC[route.slice('/kind/'.length)];
      if (!magic) return notFound(res);
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      return res.end(Buffer.concat([magic, Buffer.alloc(600, 7)]));
    }
    if (route === '/empty-zip') {
      res.writeHead(200, { 'content-type': 'application/zip', 'content-disposition': 'attachment; filename="logs.zip"' });
      return res.end(Buffer.concat([Buffer.from('PK\x05\x06', 'latin1'), Buffer.alloc(18)]));
    }
    if (route === '/binary') {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      return res.end(Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(100)]));
    }
    if (route === '/login') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      return res.end(
        '\n<!DOCTYPE html>\n<html><head><title>CDUC 登录</title></head><body><form method="post">用户名 <input name="u"></form></body></html>',
      );
    }
    if (route === '/redirect') {
      res.writeHead(302, { location: url.searchParams.get('to') ?? '/' });
      return res.end();
    }
    if (route === '/loop') {
      res.writeHead(302, { location: '/loop' });
      return res.end();
    }
    if (route.startsWith('/private/')) {
      const expected = options.basic && `Basic ${Buffer.from(`${options.basic.user}:${options.basic.password}`).toString('base64')}`;
      if (!expected || req.headers.authorization !== expected) {
        res.writeHead(401, { 'www-authenticate': 'Basic realm="CDUC"' });
        return res.end('login required');
      }
      return sendZip(res);
    }
    if (route === '/missing') return notFound(res);
    if (route === '/flaky') {
      const id = url.searchParams.get('id') ?? '';
      if (!flakyFailed.has(id)) {
        flakyFailed.add(id);
        res.writeHead(500);
        return res.end('internal error');
      }
      return sendZip(res);
    }
    if (route === '/busy') {
      res.writeHead(url.searchParams.get('status') === '429' ? 429 : 503);
      return res.end();
    }
    if (route === '/stall') return; // never answers
    if (route === '/trickle') {
      // Starts like a zip, then goes silent with most of the body missing.
      res.writeHead(200, { 'content-type': 'application/zip', 'content-length': 4096 });
      return res.write(Buffer.from('PK\x03\x04', 'latin1'));
    }
    if (route === '/drip') {
      // Never silent for long, never done.
      res.writeHead(200, { 'content-type': 'text/plain' });
      const timer = setInterval(() => res.write('.'), dripMs);
      timers.add(timer);
      res.on('close', () => {
        clearInterval(timer);
        timers.delete(timer);
      });
      return res.write(LOG_TEXT);
    }
    if (route === '/huge-declared') {
      res.writeHead(200, { 'content-type': 'application/zip', 'content-length': 5 * 1024 * 1024 });
      return res.write(zip.subarray(0, 64));
    }
    if (route === '/huge-chunked') return void streamChunks(res, zip.subarray(0, 64), 5 * 1024 * 1024);
    notFound(res);
  };

  const server = options.tls ? https.createServer({ cert: options.tls.cert, key: options.tls.key }, handler) : http.createServer(handler);
  server.on('connection', () => connections++);
  const port = await listen(server);
  const origin = `${options.tls ? 'https' : 'http'}://localhost:${port}`;
  return {
    origin,
    url: (pathAndQuery) => origin + pathAndQuery,
    connections: () => connections,
    requests,
    close: async () => {
      for (const timer of timers) clearInterval(timer);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A TCP server that accepts and never says anything: a TLS handshake against it stalls. */
export async function startSilentServer(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const port = await listen(server);
  return {
    port,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A port on 127.0.0.1 that nothing listens on (it was free a moment ago). */
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  const port = await listen(server);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function notFound(res: http.ServerResponse): void {
  res.writeHead(404, { 'content-type': 'text/plain' });
  res.end('not found');
}

/** `total` bytes, chunked without a length, `start` first; stops when the client goes away. */
async function streamChunks(res: http.ServerResponse, start: Buffer, total: number): Promise<void> {
  res.writeHead(200, { 'content-type': 'application/octet-stream' });
  const chunk = Buffer.alloc(64 * 1024, 0x41);
  res.write(start);
  for (let sent = start.length; sent < total && !res.destroyed; sent += chunk.length) {
    if (!res.write(chunk)) await drainedOrClosed(res);
  }
  res.end();
}

/** Waits for either, and leaves no listener behind for the other (they would pile up). */
function drainedOrClosed(res: http.ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done).off('close', done);
      resolve();
    };
    res.on('drain', done).on('close', done);
  });
}

function listen(server: net.Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port));
  });
}
