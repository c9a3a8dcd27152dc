// Case ids and subjects. Case ids are looked for anywhere in the subject, because
// clients stack prefixes (回复: 答复: RE: 转发: FW: Fwd: VS:) and customers append text.

const CASE_ID = /CAS[-－‐–]?(\d{5})[-－‐–]([A-Z0-9]{6})(?![A-Z0-9])/i;
const REPLY_PREFIX = /^\s*(?:回复|答复|回覆|转发|轉發|RE|FW|FWD|VS|AW|WG|TR)\s*[:：]\s*/i;

/** The canonical case id (`CAS-06079-G5K3W1`) in a subject, or null. */
export function findCaseId(subject: string): string | null {
  const m = CASE_ID.exec(subject.normalize('NFKC'));
  if (!m) return null;
  return `CAS-${m[1]}-${m[2]!.toUpperCase()}`;
}

/** The subject without any stack of reply/forward prefixes. */
export function stripReplyPrefixes(subject: string): string {
  let s = subject.trim();
  for (let i = 0; i < 20; i++) {
    const next = s.replace(REPLY_PREFIX, '');
    if (next === s) break;
    s = next;
  }
  return s;
}

/** The subject a reply carries: one `回复: ` in front of the original subject. */
export function replySubject(subject: string): string {
  return `回复: ${stripReplyPrefixes(subject)}`;
}

/**
 * The problem title inside a case subject: `[案例号: CAS-… ] % 标题 % 初次响应 …` → `标题`.
 * Falls back to whatever is left once the case tag is removed.
 */
export function caseTitle(subject: string): string {
  const s = stripReplyPrefixes(subject)
    .replace(/[[【(（]\s*案例号\s*[:：]?\s*CAS[-－]?\d{5}[-－][A-Z0-9]{6}\s*[\]】)）]/i, '')
    .trim();
  const segments = s
    .split(/[%％]/)
    .map((p) => p.trim())
    .filter(Boolean);
  return segments[0] ?? s;
}
