// Turns an attachment (zip bundle or loose log) into the log files inside it.

import type { LogFileInput, MailAttachment } from '../core/types';

export interface BundleContents {
  files: LogFileInput[];
  /** Why (part of) the attachment could not be read, in Chinese: it goes into the draft. */
  problems: string[];
}

export interface BundleReader {
  /** Whether this attachment is something a customer sends logs in. */
  isLogAttachment(attachment: MailAttachment): boolean;
  read(attachment: MailAttachment): Promise<BundleContents>;
}
