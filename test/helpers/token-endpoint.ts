// An OAuth2 token endpoint on loopback that issues short-lived tokens (client credentials and
// refresh-token grants, RFC 6749) and answers token introspection (RFC 7662) for Dovecot's
// oauth2 passdb; it counts what it issued, so tests see casebot fetch a fresh token in time.

import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface TokenEndpoint {
  url: string;
  introspectionUrl: string;
  /** Tokens issued, in order. */
  issued: string[];
  valid(token: string): boolean;
  stop(): Promise<void>;
}

export async function startTokenEndpoint(options: {
  clientId: string;
  clientSecret: string;
  refreshToken?: string;
  lifetimeSeconds: number;
}): Promise<TokenEndpoint> {
  const expiry = new Map<string, number>();
  const issued: string[] = [];
  let refreshToken = options.refreshToken ?? null;
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const form = new URLSearchParams(body);
      const reply = (status: number, data: unknown) => {
        res.statusCode = status;
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify(data));
      };
      if (req.url?.startsWith('/introspect')) {
        const token = form.get('token') ?? '';
        return reply(200, endpoint.valid(token) ? { active: true, username: 'casebot' } : { active: false });
      }
      const grant = form.get('grant_type');
      const clientOk =
        form.get('client_id') === options.clientId && (grant === 'refresh_token' || form.get('client_secret') === options.clientSecret);
      const grantOk =
        grant === 'client_credentials' ||
        (grant === 'refresh_token' && refreshToken !== null && form.get('refresh_token') === refreshToken);
      if (!clientOk || !grantOk) return reply(400, { error: 'invalid_grant' });
      const token = `tok-${issued.length + 1}-${Math.random().toString(36).slice(2)}`;
      issued.push(token);
      expiry.set(token, Date.now() + options.lifetimeSeconds * 1000);
      // A refresh token is rotated on every use, as Microsoft's endpoint may do.
      if (grant === 'refresh_token') refreshToken = `refresh-${issued.length}`;
      reply(200, {
        access_token: token,
        token_type: 'Bearer',
        expires_in: options.lifetimeSeconds,
        ...(grant === 'refresh_token' ? { refresh_token: refreshToken } : {}),
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const endpoint: TokenEndpoint = {
    url: `http://127.0.0.1:${port}/tenant/oauth2/v2.0/token`,
    introspectionUrl: `http://127.0.0.1:${port}/introspect`,
    issued,
    valid: (token) => (expiry.get(token) ?? 0) > Date.now(),
    async stop() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
  return endpoint;
}
