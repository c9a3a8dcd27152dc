// Turns a mail's log attachments (bundles, split archives, winmail.dat, loose logs) into the
// log files inside them.

import type { Problem } from '../core/intake/problem';
import type { LogFileInput, MailAttachment } from '../core/types';

/** An attachment or a download, already on disk; read-only here, never deleted here. */
export type BundleSource = MailAttachment;

export interface BundleContents {
  /** The attachment's name, or the first part's name for a split archive. */
  name: string;
  /** Content identity: sha256 of the single attachment, or of the parts' hashes joined in order. */
  sha256: string;
  size: number;
  /** Streamed on open(), never held whole. */
  files: LogFileInput[];
  /** Why (part of) it could not be read, each naming the file. */
  problems: Problem[];
}

export interface BundleReader {
  /** Whether this attachment is something a customer sends logs in. */
  isLogAttachment(attachment: BundleSource): boolean;
  /** A mail's log attachments: one bundle each, the parts of a split archive joined into one. */
  read(attachments: BundleSource[]): Promise<BundleContents[]>;
}
