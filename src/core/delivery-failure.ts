// Whether a failed delivery is worth trying again: one decision for SMTP, IMAP, HTTP and socket
// errors (in the manner of emailengine's lib/delivery-error.js), so a send or a download is not
// retried forever on an answer that will never change, nor given up on a passing fault.

export type FailureKind = 'transient' | 'permanent';

/** Socket and DNS faults that pass: the network, a restart, a timeout. */
const PASSING_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EPIPE',
  'ESOCKET',
  'ECONNECTION',
  'EDNS',
  'ERR_STREAM_PREMATURE_CLOSE',
]);
/**
 * nodemailer's codes for what the same attempt would meet again: the login (EAUTH), TLS
 * (ETLS: wrong port or `secure`), the envelope (no valid recipient), the message itself.
 */
const SMTP_LASTING_CODES = new Set(['EAUTH', 'ETLS', 'EENVELOPE', 'EMESSAGE', 'EOAUTH2']);

/** An SMTP failure: the server's reply code first (5xx lasts, 4xx passes), then the client's error code. */
export function smtpFailure(failure: { responseCode?: number | undefined; code?: string | undefined }): FailureKind {
  const reply = failure.responseCode;
  if (reply !== undefined && reply >= 500 && reply < 600) return 'permanent';
  if (reply !== undefined && reply >= 400 && reply < 500) return 'transient';
  if (failure.code !== undefined && SMTP_LASTING_CODES.has(failure.code)) return 'permanent';
  // No answer at all (connection refused, dropped, timed out): the server may be back later.
  return failure.code === undefined || PASSING_CODES.has(failure.code) ? 'transient' : 'permanent';
}

/** An HTTP answer: busy (429) and server faults (5xx) pass; anything else the server meant. */
export function httpStatusFailure(status: number): FailureKind {
  return status === 429 || status >= 500 ? 'transient' : 'permanent';
}

/** A socket error without any answer from the other side. */
export function socketFailure(code: string): FailureKind {
  return PASSING_CODES.has(code) ? 'transient' : 'permanent';
}

/**
 * An IMAP server that answered a command NO or BAD (or imapflow checked APPENDLIMIT first) refused
 * that message or command, and the connection is fine: its words, or null for any other failure.
 * A refused draft is kept and tried again next pass (a full quota clears), never the connection.
 */
export function imapRefusal(err: unknown): string | null {
  const e = err as Error & { responseStatus?: string; responseText?: string; serverResponseCode?: string };
  if (e.responseStatus !== 'NO' && e.responseStatus !== 'BAD' && e.serverResponseCode !== 'APPENDLIMIT') return null;
  // Dovecot ends its words with the command's timing, "(0.001 + 0.000 secs).": not the reason.
  return (e.responseText ?? e.message).replace(/\s*\([\d.+ ]+secs\)\.?$/, '');
}

/** The folder a command named is gone (deleted or renamed while casebot ran): find it again, once. */
export function imapFolderGone(err: unknown): boolean {
  return /TRYCREATE|NONEXISTENT|doesn't exist|does not exist/i.test(
    `${(err as { responseText?: string }).responseText ?? ''} ${(err as Error).message}`,
  );
}

/**
 * Any other IMAP failure is the server's, not the mail's, and passes: the pass is tried again at
 * the next signal or poll (a refused login too: a password being changed). What the log says of it.
 */
export function imapUnavailable(err: unknown): string {
  const e = err as Error & { responseText?: string; authenticationFailed?: boolean };
  return `IMAP: ${e.authenticationFailed ? 'login refused' : (e.responseText ?? e.message)}`;
}
