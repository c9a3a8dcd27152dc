// Who may command casebot: an engineer listed in config, and only when the mail proves it came
// from them. A From header alone can be forged, so the proof is DMARC, or DKIM or SPF aligned
// with the From domain, as verified by our own mail server (a trusted Authentication-Results
// header) or by casebot itself (mailauth). No proof, no command.

export type AuthResult = 'pass' | 'fail' | 'none' | 'neutral' | 'softfail' | 'temperror' | 'permerror' | 'policy' | string;

/** One verifier's verdicts on one mail. */
export interface AuthVerdicts {
  /** Who verified: the authserv-id of a trusted header, or `casebot` for our own check. */
  verifier: string;
  dmarc: AuthResult | null;
  /** Domains of DKIM signatures that passed. */
  dkimPass: string[];
  /** SPF result and the MAIL FROM domain it is for. */
  spf: AuthResult | null;
  spfDomain: string | null;
}

export type Authorization = { allowed: true; proof: string } | { allowed: false; reason: string };

export function authorizeSender(from: string | null, engineers: string[], verdicts: AuthVerdicts[]): Authorization {
  const address = from?.toLowerCase() ?? '';
  if (!engineers.some((e) => e.toLowerCase() === address)) {
    return { allowed: false, reason: `${from ?? '（无发件人）'} 不是配置中的工程师` };
  }
  const domain = address.split('@')[1] ?? '';
  for (const v of verdicts) {
    if (v.dmarc === 'pass') return { allowed: true, proof: `${v.verifier}: dmarc=pass` };
    const dkim = v.dkimPass.find((d) => aligned(d, domain));
    if (dkim) return { allowed: true, proof: `${v.verifier}: dkim=pass (${dkim})` };
    if (v.spf === 'pass' && v.spfDomain && aligned(v.spfDomain, domain))
      return { allowed: true, proof: `${v.verifier}: spf=pass (${v.spfDomain})` };
  }
  const seen = verdicts
    .map((v) => `${v.verifier}: dmarc=${v.dmarc ?? 'none'} dkim=${v.dkimPass.join(',') || 'none'} spf=${v.spf ?? 'none'}`)
    .join('; ');
  return { allowed: false, reason: `邮件没有通过发件人验证（${seen || '没有可信的验证结果'}）` };
}

/** Relaxed alignment: the same organisational domain, here the same domain or a subdomain of it. */
function aligned(authenticated: string, fromDomain: string): boolean {
  const a = authenticated.toLowerCase();
  return a === fromDomain || a.endsWith(`.${fromDomain}`) || fromDomain.endsWith(`.${a}`);
}

/**
 * Parses Authentication-Results header values (RFC 8601), keeping only those written by a
 * server we trust: a header from anywhere else may have been added by the sender.
 */
export function parseAuthenticationResults(headers: string[], trustedAuthservIds: string[]): AuthVerdicts[] {
  const trusted = new Set(trustedAuthservIds.map((t) => t.toLowerCase()));
  const out: AuthVerdicts[] = [];
  for (const raw of headers) {
    const value = raw.replace(/\r?\n[ \t]+/g, ' ').replace(/\([^)]*\)/g, '');
    const [idPart, ...rest] = value.split(';');
    const authservId = (idPart ?? '').trim().split(/\s+/)[0]?.toLowerCase() ?? '';
    if (!trusted.has(authservId)) continue;
    const v: AuthVerdicts = { verifier: authservId, dmarc: null, dkimPass: [], spf: null, spfDomain: null };
    for (const clause of rest) {
      const m = /^\s*(dmarc|dkim|spf)\s*=\s*(\w+)(.*)$/i.exec(clause);
      if (!m) continue;
      const method = m[1]!.toLowerCase();
      const result = m[2]!.toLowerCase();
      const props = m[3]!;
      if (method === 'dmarc') v.dmarc = result;
      else if (method === 'dkim' && result === 'pass') {
        const d = /header\.d=([^\s;]+)/i.exec(props)?.[1] ?? /header\.i=@?([^\s;]+)/i.exec(props)?.[1]?.split('@').pop();
        if (d) v.dkimPass.push(d.toLowerCase());
      } else if (method === 'spf') {
        v.spf = result;
        v.spfDomain = /smtp\.mailfrom=(?:[^@\s;]*@)?([^\s;]+)/i.exec(props)?.[1]?.toLowerCase() ?? null;
      }
    }
    out.push(v);
  }
  return out;
}
