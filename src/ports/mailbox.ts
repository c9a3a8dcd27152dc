// The one interface every mailbox (IMAP, Maildir) implements. Kept narrow on purpose: the app
// reads new mail by cursor, reads raw bytes, and manages casebot's drafts. Nothing else.

export type FolderRole = 'inbox' | 'sent';

export interface MailRef {
  folder: FolderRole;
  /** The mailbox's own handle (IMAP UID, Maildir file name); never an identity. */
  id: string;
  /** RFC822.SIZE, so a huge mail can be refused before it is downloaded. */
  size: number;
  /** The folder's cursor once this mail is handled. */
  cursor: string;
  /**
   * When the mailbox received it (IMAP INTERNALDATE, Maildir delivery time), ISO 8601.
   * Threads are ordered by this, not by the Date header a sender's clock wrote.
   */
  arrivedAt: string;
}

/**
 * The mailbox could not be reached (connection refused or dropped, login refused, folder
 * gone): a fault of the server, not of the mail. The pass stops and is retried; the mail is
 * not quarantined.
 */
export class MailboxUnavailable extends Error {
  constructor(message: string, cause?: unknown) {
    super(message, { cause });
  }
}

/**
 * The configuration names what the server does not have (a folder): no retry can help. The
 * pass stops, and a watching casebot stops too, saying which key to fix, instead of failing the
 * same way at every poll.
 */
export class MailboxMisconfigured extends Error {
  constructor(message: string) {
    super(message);
  }
}

/** A draft the server refused for itself (too big, over quota): a fault of the draft, not the server's. */
export interface RefusedDraft {
  /** Where it was in the drafts given. */
  index: number;
  /** The server's words. */
  reason: string;
}

export interface Mailbox {
  readonly description: string;
  open(): Promise<void>;
  close(): Promise<void>;
  /** Mail after `cursor` (null: from the start), oldest first. Never marks anything seen. */
  listNew(folder: FolderRole, cursor: string | null): Promise<MailRef[]>;
  fetchRaw(ref: MailRef): Promise<Buffer>;
  /** Writes the mail to `file` as it arrives, for a mail too big to hold in memory. */
  fetchToFile(ref: MailRef, file: string): Promise<void>;
  /** Only the header (up to the blank line): what is read of a mail too big to download. */
  fetchHeader(ref: MailRef): Promise<Buffer>;
  /**
   * Stores drafts (flagged \Draft) in the Drafts folder, in as few round trips as the server
   * allows, all but the ones it returns as refused. When it throws, any of them may or may not
   * have landed: look with draftMessageIds.
   */
  appendDrafts(raws: Buffer[]): Promise<RefusedDraft[]>;
  /** The Message-IDs (without <>) of everything in the Drafts folder, in one listing. */
  draftMessageIds(): Promise<Set<string>>;
  /** Removes casebot's draft; false when it was not there (e.g. the engineer already sent it). */
  removeDraft(messageId: string): Promise<boolean>;
  /** Stores a copy of a mail casebot sent in the Sent folder, flagged \\Seen. */
  appendSent(raw: Buffer): Promise<void>;
  /** Calls `onChange` when new mail may have arrived; resolves the returned stop function on close. */
  watch(onChange: () => void): () => Promise<void>;
}
