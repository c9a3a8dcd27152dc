// SenderVerifier on mailauth: casebot checks DKIM, SPF and DMARC itself, for mail servers that
// do not add a trustworthy Authentication-Results header.

import { authenticate } from 'mailauth';
import type { AuthVerdicts } from '../../core/commands/authorize-sender';
import type { SenderVerifier } from '../../ports/sender-verifier';

export type Resolver = (name: string, rr: string) => Promise<unknown>;

interface MailauthResult {
  dkim?: { results?: { status?: { result?: string }; signingDomain?: string }[] };
  spf?: { status?: { result?: string }; domain?: string } | false;
  dmarc?: { status?: { result?: string } } | false;
}

export class MailauthVerifier implements SenderVerifier {
  /** `resolver` defaults to the system's DNS; tests pass their own. */
  constructor(private readonly options: { resolver?: Resolver; mta?: string } = {}) {}

  async verify(raw: Buffer): Promise<AuthVerdicts> {
    const result = (await authenticate(raw, {
      trustReceived: true,
      disableArc: true,
      disableBimi: true,
      ...(this.options.resolver ? { resolver: this.options.resolver } : {}),
      ...(this.options.mta ? { mta: this.options.mta } : {}),
    } as Parameters<typeof authenticate>[1])) as MailauthResult;
    const spf = result.spf || null;
    const dmarc = result.dmarc || null;
    return {
      verifier: 'casebot',
      dmarc: dmarc?.status?.result ?? null,
      dkimPass: (result.dkim?.results ?? [])
        .filter((r) => r.status?.result === 'pass' && r.signingDomain)
        .map((r) => r.signingDomain!.toLowerCase()),
      spf: spf?.status?.result ?? null,
      spfDomain: spf?.domain?.toLowerCase() ?? null,
    };
  }
}
