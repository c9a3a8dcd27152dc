// How long to wait before trying again, one rule for every retry casebot makes (an SMTP send,
// a portal download, an IMAP reconnect): double each time, up to a cap.

/**
 * The wait before retry `attempt` (1 for the first retry): `baseMs`·2^(attempt−1), at most
 * `maxMs`. With `jitter` (a random number in [0, 1)), between half and all of it, so clients cut
 * off together do not come back together.
 */
export function backoffMs(attempt: number, baseMs: number, maxMs = Infinity, jitter?: number): number {
  const wait = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return jitter === undefined ? wait : wait * (0.5 + jitter / 2);
}
