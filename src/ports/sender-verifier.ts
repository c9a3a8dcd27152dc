// Our own check of who sent a mail (DKIM/SPF/DMARC), beside the trusted headers.

import type { AuthVerdicts } from '../core/commands/authorize-sender';

export interface SenderVerifier {
  verify(raw: Buffer): Promise<AuthVerdicts>;
}
