// Downloads a log bundle a customer uploaded to the portal and linked to in their mail.

import type { Problem } from '../core/intake/problem';

export interface FetchedBundle {
  /** The link as found in the mail. */
  url: string;
  /** Where the bytes came from, after redirects. */
  finalUrl: string;
  /** The downloaded file, inside the folder the caller gave. */
  file: string;
  /** A safe file name (never a path), with the extension of what the bytes are (.zip, .7z, .log…). */
  filename: string;
  /** What the bytes are (application/zip, text/plain…), judged by content, not by the server. */
  contentType: string;
  size: number;
  sha256: string;
}

export type FetchOutcome =
  | { ok: true; bundle: FetchedBundle }
  /** `problem` is for the case and the draft (rendered from templates); `detail` is English, for the log. */
  | { ok: false; url: string; problem: Problem; detail: string };

export interface BundleFetcher {
  /** Never throws for anything the link or the portal does: every refusal is an outcome. */
  fetch(url: string, intoDir: string): Promise<FetchOutcome>;
}
