// BundleFetcher over node:http/https for links to the upload portal. A link in a customer's mail
// is untrusted input, so every hop (the link and each redirect) is checked before connecting:
// http(s) only, no IP literals, a configured host, and every address its name resolves to public
// (SSRF). The request connects to exactly the addresses that were checked (a pinned `lookup`),
// so DNS cannot answer differently the second time (rebinding). Credentials go only to the
// link's own origin. Timeouts, a size cap and the content check end a download early; the
// partial file is deleted whenever the outcome is not `ok`.

import { httpStatusFailure, socketFailure } from '../../core/delivery-failure';
import { backoffMs } from '../../core/backoff';
import crypto from 'node:crypto';
import dns from 'node:dns';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import tls from 'node:tls';
import { isAllowedHost } from '../../core/intake/portal-links';
import type { LinkProblem, Problem, WithoutUrl } from '../../core/intake/problem';
import type { BundleFetcher, FetchedBundle, FetchOutcome } from '../../ports/bundle-fetcher';
import { addressKind } from './address-check';
import { ContentRefused, downloadName, DownloadGuard, nameForKind } from './bundle-file';

export interface PortalFetcherOptions {
  /** Hosts links may point to, exact or `*.example.com`; redirects too. */
  hosts: string[];
  credentials: { user: string; password: string } | { token: string } | null;
  /** TCP connect and TLS handshake. */
  connectTimeoutMs: number;
  /** Silence from the server, before the headers or between bytes of the body. */
  readTimeoutMs: number;
  /** The whole fetch, retries included. */
  totalTimeoutMs: number;
  maxBytes: number;
  /** Further attempts after a connection error, a timeout, 5xx or 429. */
  retries: number;
  /** First pause before a retry; doubled each time. */
  backoffMs: number;
  /** Tests only: names that resolve to loopback are allowed (every other internal range is not). */
  allowLoopback: boolean;
  /** A CA trusted besides the system ones (a test portal's self-signed certificate). */
  ca?: string | Buffer;
}

export const MAX_REDIRECTS = 5;

const REDIRECTS = [301, 302, 303, 307, 308];
const CONNECT_FAILURES = ['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL'];
const TLS_FAILURE = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS|ERR_SSL/;

/** Why an attempt failed; `retryable` failures are tried again while attempts and time are left. */
/** A link's problem before the caller's link is added to it. */
type LinkFault = WithoutUrl<LinkProblem>;

class FetchFailure extends Error {
  constructor(
    readonly fault: LinkFault,
    readonly detail: string,
    readonly retryable = false,
  ) {
    super(detail);
  }
}

interface Hop {
  url: URL;
  addresses: dns.LookupAddress[];
}

export class PortalFetcher implements BundleFetcher {
  private readonly ca: string[] | undefined;

  constructor(private readonly options: PortalFetcherOptions) {
    // `ca` replaces the system roots in node:tls; the test CA is meant to be added to them.
    this.ca = options.ca === undefined ? undefined : [...tls.rootCertificates, options.ca.toString()];
  }

  async fetch(url: string, intoDir: string): Promise<FetchOutcome> {
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), this.options.totalTimeoutMs);
    try {
      for (let attempt = 1; ; attempt++) {
        let failure: FetchFailure;
        try {
          return { ok: true, bundle: await this.attempt(url, intoDir, deadline.signal) };
        } catch (err) {
          failure = deadline.signal.aborted ? this.totalTimeout() : asFailure(err);
        }
        if (!failure.retryable || attempt > this.options.retries) {
          return refused(url, failure.fault, `${failure.detail} (attempt ${attempt} of ${this.options.retries + 1})`);
        }
        await pause(backoffMs(attempt, this.options.backoffMs), deadline.signal);
        if (deadline.signal.aborted) {
          const timeout = this.totalTimeout();
          return refused(url, timeout.fault, `${timeout.detail} after ${failure.detail}`);
        }
      }
    } finally {
      clearTimeout(timer);
    }
  }

  /** One try: the link, its redirects, the download. */
  private async attempt(link: string, intoDir: string, signal: AbortSignal): Promise<FetchedBundle> {
    const original = parseLink(link);
    let url = original;
    for (let redirects = 0; ; redirects++) {
      const hop = await this.check(url, signal);
      const response = await this.request(hop, url.origin === original.origin, signal);
      const status = response.statusCode ?? 0;
      const location = response.headers.location;
      if (REDIRECTS.includes(status) && location) {
        response.destroy();
        if (redirects === MAX_REDIRECTS)
          throw new FetchFailure({ code: 'TOO_MANY_REDIRECTS' }, `more than ${MAX_REDIRECTS} redirects, last to ${location}`);
        url = parseLink(location, url);
        continue;
      }
      if (status < 200 || status > 299) {
        response.destroy();
        throw statusFailure(status, url);
      }
      return this.save(response, link, url, intoDir);
    }
  }

  /** The rules every hop passes before any connection is made. */
  private async check(url: URL, signal: AbortSignal): Promise<Hop> {
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new FetchFailure({ code: 'NOT_HTTP' }, `scheme ${url.protocol} in ${url.href}`);
    }
    const host = url.hostname.replace(/^\[|\]$/g, '');
    // The URL parser has already turned 2130706433, 0x7f.1 and 017700000001 into dotted form.
    if (net.isIP(host)) {
      if (addressKind(host) !== 'public') throw new FetchFailure({ code: 'PRIVATE_ADDRESS' }, `IP literal ${host} in ${url.href}`);
      throw new FetchFailure({ code: 'IP_ADDRESS_LINK', host }, `IP literal ${host} in ${url.href}`);
    }
    if (!isAllowedHost(host, this.options.hosts)) {
      throw new FetchFailure({ code: 'UNTRUSTED_HOST', host }, `host ${host} is not one of ${this.options.hosts.join(', ')}`);
    }
    let addresses: dns.LookupAddress[];
    try {
      addresses = await untilAborted(dns.promises.lookup(host, { all: true }), signal);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? String(err);
      throw new FetchFailure({ code: 'DNS_FAILED', host }, `DNS lookup of ${host}: ${code}`, code === 'EAI_AGAIN');
    }
    const refused = addresses.find(({ address }) => !this.reachable(address));
    if (refused || addresses.length === 0) {
      throw new FetchFailure({ code: 'PRIVATE_ADDRESS' }, `${host} resolves to ${addresses.map((a) => a.address).join(', ')}`);
    }
    // IPv4 first: portals are more often broken over IPv6 than over IPv4.
    return { url, addresses: [...addresses].sort((a, b) => a.family - b.family) };
  }

  private reachable(address: string): boolean {
    const kind = addressKind(address);
    return kind === 'public' || (kind === 'loopback' && this.options.allowLoopback);
  }

  private request(hop: Hop, withCredentials: boolean, signal: AbortSignal): Promise<http.IncomingMessage> {
    const { url, addresses } = hop;
    const { connectTimeoutMs, readTimeoutMs } = this.options;
    const headers: http.OutgoingHttpHeaders = { 'user-agent': 'casebot', accept: '*/*', 'accept-encoding': 'identity' };
    const authorization = withCredentials ? this.authorization() : null;
    if (authorization) headers.authorization = authorization;
    const pinnedLookup: net.LookupFunction = (_name, lookupOptions, callback) => {
      if (lookupOptions.all) callback(null, addresses);
      else callback(null, addresses[0]!.address, addresses[0]!.family);
    };
    const options: https.RequestOptions = {
      hostname: url.hostname,
      port: url.port || undefined,
      path: `${url.pathname}${url.search}`,
      method: 'GET',
      headers,
      lookup: pinnedLookup,
      // A fresh connection each time: a pooled socket was checked for another request.
      agent: false,
    };
    if (url.protocol === 'https:' && this.ca) options.ca = this.ca;

    return new Promise((resolve, reject) => {
      let response: http.IncomingMessage | undefined;
      const request = (url.protocol === 'https:' ? https : http).request(options, (res) => {
        response = res;
        resolve(res);
      });
      // Ends the request and, once it has started, the body being read.
      const fail = (failure: FetchFailure) => {
        response?.destroy(failure);
        request.destroy(failure);
      };
      const onAbort = () => fail(this.totalTimeout());
      signal.addEventListener('abort', onAbort, { once: true });
      request.on('close', () => signal.removeEventListener('abort', onAbort));
      request.on('error', reject);
      request.on('socket', (socket) => {
        const connectTimer = setTimeout(
          () => fail(new FetchFailure({ code: 'CONNECT_TIMEOUT' }, `no connection to ${url.host} within ${connectTimeoutMs} ms`, true)),
          connectTimeoutMs,
        );
        socket.once('close', () => clearTimeout(connectTimer));
        socket.once(socket instanceof tls.TLSSocket ? 'secureConnect' : 'connect', () => {
          clearTimeout(connectTimer);
          socket.setTimeout(readTimeoutMs, () =>
            fail(
              new FetchFailure(
                { code: 'READ_TIMEOUT', seconds: Math.round(readTimeoutMs / 100) / 10 },
                `${url.host} silent for ${readTimeoutMs} ms`,
                true,
              ),
            ),
          );
        });
      });
      request.end();
    });
  }

  private authorization(): string | null {
    const credentials = this.options.credentials;
    if (!credentials) return null;
    if ('token' in credentials) return `Bearer ${credentials.token}`;
    return `Basic ${Buffer.from(`${credentials.user}:${credentials.password}`).toString('base64')}`;
  }

  private async save(response: http.IncomingMessage, link: string, url: URL, intoDir: string): Promise<FetchedBundle> {
    const declared = Number(response.headers['content-length']);
    if (declared > this.options.maxBytes) {
      response.destroy();
      throw this.tooBig(`Content-Length ${declared}`);
    }
    const name = downloadName(response.headers['content-disposition'], url);
    const file = path.join(intoDir, `download-${crypto.randomBytes(6).toString('hex')}`);
    const guard = new DownloadGuard(this.options.maxBytes, () => this.tooBig('streamed body'));
    try {
      await pipeline(response, guard, fs.createWriteStream(file, { flags: 'wx', mode: 0o600 }));
    } catch (err) {
      await fs.promises.rm(file, { force: true });
      throw err;
    }
    const kind = guard.kind!;
    return {
      url: link,
      finalUrl: url.href,
      file,
      filename: nameForKind(name, kind),
      contentType: kind.contentType,
      size: guard.size,
      sha256: guard.sha256(),
    };
  }

  private tooBig(what: string): FetchFailure {
    return new FetchFailure(
      { code: 'DOWNLOAD_TOO_LARGE', limitBytes: this.options.maxBytes },
      `${what} over the cap of ${this.options.maxBytes} bytes`,
    );
  }

  private totalTimeout(): FetchFailure {
    return new FetchFailure({ code: 'DOWNLOAD_TIMEOUT' }, `not done within ${this.options.totalTimeoutMs} ms`);
  }
}

/** The outcome of a link not downloaded: its problem names the link, and carries the detail for the log. */
function refused(url: string, fault: LinkFault, detail: string): FetchOutcome {
  return { ok: false, url, problem: { ...fault, url, detail } as Problem, detail };
}

function parseLink(link: string, base?: URL): URL {
  try {
    return new URL(link, base);
  } catch {
    throw new FetchFailure({ code: 'BAD_LINK' }, `not a URL: ${link}`);
  }
}

function statusFailure(status: number, url: URL): FetchFailure {
  const detail = `HTTP ${status} from ${url.href}`;
  if (status === 401 || status === 403) return new FetchFailure({ code: 'PORTAL_DENIED' }, detail);
  if (status === 404 || status === 410) return new FetchFailure({ code: 'LINK_NOT_FOUND' }, detail);
  const retryable = httpStatusFailure(status) === 'transient';
  if (status === 429) return new FetchFailure({ code: 'PORTAL_BUSY' }, detail, retryable);
  if (status >= 500) return new FetchFailure({ code: 'PORTAL_ERROR', status }, detail, retryable);
  return new FetchFailure({ code: 'PORTAL_REFUSED', status }, detail, retryable);
}

/** Errors from sockets, TLS, the body and the disk, as failures. */
function asFailure(err: unknown): FetchFailure {
  if (err instanceof FetchFailure) return err;
  if (err instanceof ContentRefused) return new FetchFailure({ code: err.fault }, err.detail);
  const code = (err as NodeJS.ErrnoException).code ?? '';
  const detail = `${code} ${(err as Error).message}`.trim();
  if (TLS_FAILURE.test(code)) return new FetchFailure({ code: 'TLS_INVALID' }, detail);
  if (CONNECT_FAILURES.includes(code)) return new FetchFailure({ code: 'CONNECT_FAILED' }, detail, socketFailure(code) === 'transient');
  if (code === 'ECONNRESET' || code === 'EPIPE' || code === 'ETIMEDOUT' || code === 'ERR_STREAM_PREMATURE_CLOSE') {
    return new FetchFailure({ code: 'DOWNLOAD_INTERRUPTED' }, detail, true);
  }
  return new FetchFailure({ code: 'DOWNLOAD_FAILED' }, detail, socketFailure(code) === 'transient');
}

function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(new Error('aborted'));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
