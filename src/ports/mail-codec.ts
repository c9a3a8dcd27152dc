// Parsing incoming mail and composing drafts happen at the edge (mailparser, nodemailer).

import type { DraftMail } from '../core/draft/build-draft';
import type { ParsedMail } from '../core/types';

export interface MailCodec {
  /** Attachments land in temp files: call release() once the mail is handled. */
  parse(raw: Buffer, receivedAt: Date): Promise<ParsedMail>;
  /** A mail fetched to a file (too big to hold): streamed through the parser; `start` is its first MB. */
  parseFile(file: string, receivedAt: Date): Promise<{ mail: ParsedMail; start: Buffer }>;
  release(mail: Pick<ParsedMail, 'rawHash'>): void;
  compose(draft: DraftMail, extraHeaders: Record<string, string>): Promise<Buffer>;
}
