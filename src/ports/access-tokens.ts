// Where OAuth2 access tokens for IMAP and SMTP come from (XOAUTH2). Asked for at every login, so a
// token that expired while casebot ran is replaced by a fresh one without losing a pass.

export interface AccessTokens {
  /** A token valid for at least a minute more; `renew` when the server just refused the last one. */
  token(renew?: boolean): Promise<string>;
}
