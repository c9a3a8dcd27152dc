// SMTP with XOAUTH2 and tokens casebot fetches itself: a real SMTP server process on loopback
// (smtp-server) that accepts only a live token from a loopback token endpoint issuing
// two-second tokens. A token that expires between two sends is replaced before the second.

import { SMTPServer } from 'smtp-server';
import type { AddressInfo } from 'node:net';
import { OAuth2Tokens } from '../../src/adapters/oauth/oauth2-tokens';
import { PacedSmtpSender } from '../../src/adapters/smtp/paced-smtp-sender';
import { startTokenEndpoint, type TokenEndpoint } from '../helpers/token-endpoint';

const pacing = { maxPerWindow: 100, windowSeconds: 60, maxConcurrent: 1 };
let endpoint: TokenEndpoint;
let smtp: SMTPServer;
let port: number;
const accepted: string[] = [];
const refused: string[] = [];

beforeAll(async () => {
  endpoint = await startTokenEndpoint({ clientId: 'casebot-app', clientSecret: 's3cret', refreshToken: 'refresh-0', lifetimeSeconds: 2 });
  smtp = new SMTPServer({
    secure: false,
    disabledCommands: ['STARTTLS'],
    authMethods: ['XOAUTH2'],
    logger: false,
    onAuth(auth, _session, callback) {
      const token = auth.accessToken ?? '';
      if (auth.method === 'XOAUTH2' && endpoint.valid(token)) {
        accepted.push(token);
        return callback(null, { user: auth.username });
      }
      refused.push(token);
      // RFC 7628: the failure is a JSON challenge, then the client ends the exchange.
      callback(null, { data: { status: '401', schemes: 'bearer', scope: 'https://outlook.office365.com/.default' } });
    },
    onData(stream, _session, callback) {
      stream.on('data', () => undefined);
      stream.on('end', () => callback());
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  port = (smtp.server.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise<void>((resolve) => smtp.close(() => resolve()));
  await endpoint.stop();
});

const mail = Buffer.from('From: support@cmgos.com\r\nTo: kehu@unit.example.cn\r\nSubject: test\r\n\r\nbody\r\n');
const envelope = { from: 'support@cmgos.com', to: ['kehu@unit.example.cn'] };

test.each([
  ['client credentials', null],
  ['a refresh token (delegated access, rotated by the server)', 'refresh-0'],
])(
  '%s: each send logs in with a live token, fetched again once the last one is near expiry',
  async (_name, refreshToken) => {
    const tokens = new OAuth2Tokens({
      tokenUrl: endpoint.url,
      clientId: 'casebot-app',
      clientSecret: refreshToken ? null : 's3cret',
      scope: 'https://outlook.office365.com/.default',
      refreshToken,
    });
    const sender = new PacedSmtpSender({
      host: '127.0.0.1',
      port,
      secure: false,
      user: 'support@cmgos.com',
      password: null,
      tokens,
      pacing,
    });
    const before = { issued: endpoint.issued.length, accepted: accepted.length };
    await sender.send(envelope, mail);
    await new Promise((resolve) => setTimeout(resolve, 1500)); // the token now has 0.5 s left of 2
    await sender.send(envelope, mail);
    await sender.send(envelope, mail);
    await sender.close();
    const used = accepted.slice(before.accepted);
    expect(used).toHaveLength(3);
    expect(new Set(used).size).toBe(2); // a fresh token after the wait, reused for the third send
    expect(endpoint.issued.length - before.issued).toBe(2);
    expect(refused).toEqual([]);
  },
  20000,
);

test('a wrong client secret is a clear error, not a hang', async () => {
  const tokens = new OAuth2Tokens({
    tokenUrl: endpoint.url,
    clientId: 'casebot-app',
    clientSecret: 'wrong',
    scope: 'x',
    refreshToken: null,
  });
  const sender = new PacedSmtpSender({ host: '127.0.0.1', port, secure: false, user: 'support@cmgos.com', password: null, tokens, pacing });
  await expect(sender.send(envelope, mail)).rejects.toThrow(/400|invalid|Bad Request/i);
  await sender.close();
});
