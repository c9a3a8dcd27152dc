// Parsing incoming mail and composing drafts happen at the edge (mailparser, nodemailer).

import type { DraftMail } from '../core/draft/build-draft';
import type { ParsedMail } from '../core/types';

export interface MailCodec {
  parse(raw: Buffer, receivedAt: Date): Promise<ParsedMail>;
  compose(draft: DraftMail, extraHeaders: Record<string, string>): Promise<Buffer>;
}
