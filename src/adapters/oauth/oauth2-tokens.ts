// AccessTokens from an OAuth2 token endpoint (Microsoft 365: https://login.microsoftonline.com/
// <tenant>/oauth2/v2.0/token), fetched and refreshed by casebot itself with simple-oauth2: the
// client-credentials flow (an app registration with IMAP/SMTP application permissions), or a
// refresh token (delegated access). Tokens are kept in memory only and never logged.

import { AuthorizationCode, ClientCredentials, type AccessToken } from 'simple-oauth2';
import type { AccessTokens } from '../../ports/access-tokens';

export interface OAuth2Settings {
  tokenUrl: string;
  clientId: string;
  clientSecret: string | null;
  scope: string;
  /** Delegated access: start from this refresh token instead of the client-credentials flow. */
  refreshToken: string | null;
}

/** Renew this long before expiry (at most half a token's life): a login must not start with a token about to lapse. */
const EXPIRY_MARGIN_SECONDS = 60;

export class OAuth2Tokens implements AccessTokens {
  private current: AccessToken | null = null;
  private margin = EXPIRY_MARGIN_SECONDS;
  private pending: Promise<AccessToken> | null = null;
  private readonly credentials: ClientCredentials;
  private readonly authorization: AuthorizationCode;

  constructor(private readonly settings: OAuth2Settings) {
    const url = new URL(settings.tokenUrl);
    const config = {
      client: { id: settings.clientId, secret: settings.clientSecret ?? '' },
      auth: { tokenHost: url.origin, tokenPath: url.pathname + url.search },
      // Microsoft's endpoint takes the client secret in the body; so do most others.
      options: { authorizationMethod: 'body' as const },
    };
    this.credentials = new ClientCredentials(config);
    this.authorization = new AuthorizationCode(config);
  }

  async token(renew = false): Promise<string> {
    if (!renew && this.current && !this.current.expired(this.margin)) return String(this.current.token.access_token);
    // Concurrent logins (IMAP, IDLE, SMTP) share one request.
    this.pending ??= this.fetch().finally(() => (this.pending = null));
    this.current = await this.pending;
    const lifetime = Number(this.current.token.expires_in);
    this.margin = Number.isFinite(lifetime) && lifetime > 0 ? Math.min(EXPIRY_MARGIN_SECONDS, lifetime / 2) : EXPIRY_MARGIN_SECONDS;
    return String(this.current.token.access_token);
  }

  private async fetch(): Promise<AccessToken> {
    const { scope, refreshToken } = this.settings;
    if (refreshToken === null) return this.credentials.getToken({ scope });
    // The provider may rotate the refresh token (keep the newest) or not send one back (keep ours).
    const latest = String(this.current?.token.refresh_token ?? refreshToken);
    const fresh = await this.authorization.createToken({ refresh_token: latest }).refresh({ scope });
    return fresh.token.refresh_token ? fresh : this.authorization.createToken({ ...fresh.token, refresh_token: latest });
  }
}

/** A token given as it is (`accessTokenEnv`): valid until it expires, then logins fail. */
export class FixedToken implements AccessTokens {
  constructor(private readonly value: string) {}

  async token(): Promise<string> {
    return this.value;
  }
}
