// Links to the upload portal in a customer's mail, and mails that say the logs are on the portal
// without giving a link. Only links to the configured hosts and paths count: everything else in
// a mail (signatures, tracking pixels, other sites) is never fetched.

export interface PortalLinkRules {
  /** Host names, exact (case-insensitive) or `*.example.com` for any subdomain. */
  hosts: string[];
  /** Regular expression sources the URL's path must match, e.g. `^/share/[A-Za-z0-9]+`. */
  pathPatterns: string[];
}

/** A mail with more portal links than this is not a normal upload notice. */
export const MAX_PORTAL_LINKS = 10;

// A URL ends at whitespace, quotes, angle brackets and at the first non-ASCII character:
// customers write Chinese right after a link (链接：https://…/share/AbC123，请查收 or …AbC123请查收),
// and browsers copy non-ASCII paths percent-encoded.
const URL_IN_TEXT = /https?:\/\/[^\x00-\x20<>"'`\x7F-\uFFFF]+/gi;
const TRAILING_PUNCTUATION = /[.,;:!?]+$/;

export function findPortalLinks(text: string, html: string | null, rules: PortalLinkRules): string[] {
  return findUploadLinks(text, html, rules).portal;
}

/**
 * Links shaped like uploads (their path matches a pattern): those to the portal's hosts, and
 * those to any other host — refused, but worth telling the engineer about.
 */
export function findUploadLinks(text: string, html: string | null, rules: PortalLinkRules): { portal: string[]; elsewhere: string[] } {
  const patterns = rules.pathPatterns.map((p) => new RegExp(p));
  const portal: string[] = [];
  const elsewhere: string[] = [];
  // Decoded whole, the HTML's href values and its visible URLs read as text, in document order.
  for (const source of [text, html === null ? '' : decodeHtmlEntities(html)]) {
    for (const match of source.matchAll(URL_IN_TEXT)) {
      const url = parseUrl(trimUrl(match[0]));
      if (!url || !patterns.some((p) => p.test(url.pathname))) continue;
      const list = isAllowedHost(url.hostname, rules.hosts) ? portal : elsewhere;
      if (!list.includes(url.href) && list.length < MAX_PORTAL_LINKS) list.push(url.href);
    }
  }
  return { portal, elsewhere };
}

/** Whether `hostname` is one of `hosts`: equal ignoring case, or under a `*.domain` entry. */
export function isAllowedHost(hostname: string, hosts: string[]): boolean {
  const name = hostname.toLowerCase().replace(/\.$/, '');
  if (name === '') return false;
  return hosts.some((entry) => {
    const host = entry.toLowerCase();
    return host.startsWith('*.') ? name.endsWith(host.slice(1)) : name === host;
  });
}

/** Sentence punctuation after a link, and a closing bracket the link did not open. */
function trimUrl(raw: string): string {
  let url = raw.replace(TRAILING_PUNCTUATION, '');
  while (url.endsWith(')') && count(url, '(') < count(url, ')')) url = url.slice(0, -1).replace(TRAILING_PUNCTUATION, '');
  return url;
}

function count(text: string, char: string): number {
  return text.split(char).length - 1;
}

function parseUrl(raw: string): URL | null {
  try {
    return new URL(raw);
  } catch {
    return null;
  }
}

const NAMED_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

function decodeHtmlEntities(html: string): string {
  return html.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (entity, name: string) => {
    if (name[0] !== '#') return NAMED_ENTITIES[name.toLowerCase()] ?? entity;
    const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
    return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : entity;
  });
}

// mentionsUpload: one clause at a time (split at Chinese and ASCII punctuation), so that
// "上传失败，已重新上传" counts and "日志已上传，收到了吗？" is not taken for a question.
const UPLOAD_VERB = /上传|传到|传至|传上|放到|放在|放至/g;
const DESTINATION = /平台|门户|网站|网盘|服务器|cduc|portal/i;
const DONE_AFTER_VERB = /^.{0,12}?(了|好|完|成功)/;
/** Before the verb: not done yet, asked for, or impossible (请上传, 没有上传, 稍后上传, 无法上传). */
const NOT_DONE = [
  '没有',
  '没',
  '未',
  '不',
  '无法',
  '不能',
  '请',
  '麻烦',
  '需要',
  '要',
  '怎么',
  '如何',
  '稍后',
  '晚点',
  '明天',
  '马上',
  '准备',
  '正在',
  '会',
];
const FAILED = ['失败', '不了', '不上', '不成功', '报错', '出错', '错误', '超时', '中断'];
const QUESTION_WORDS = ['吗', '是否', '能否', '如何', '怎么', '哪'];

/** Whether the customer says the logs are already uploaded to the portal. */
export function mentionsUpload(text: string): boolean {
  const clauses = text.replace(/\s+/g, '').match(/[^，,。！？!?；;]+[，,。！？!?；;]?/g) ?? [];
  return clauses.some((clause) => {
    if (/[？?]$/.test(clause) || QUESTION_WORDS.some((q) => clause.includes(q))) return false;
    for (const verb of clause.matchAll(UPLOAD_VERB)) {
      const at = verb.index ?? 0;
      const before = clause.slice(0, at);
      const after = clause.slice(at + verb[0].length);
      const namesPortal = DESTINATION.test(after);
      // 传到/放到 alone say nothing about the portal (放到桌面了); 上传 does.
      if ((verb[0] !== '上传' && !namesPortal) || FAILED.some((f) => after.includes(f))) continue;
      // 已 after the last negation wins: 请查收已上传的日志.
      const lastNegation = Math.max(...NOT_DONE.map((n) => before.lastIndexOf(n)));
      if (before.lastIndexOf('已') > lastNegation) return true;
      if (lastNegation === -1 && (namesPortal || DONE_AFTER_VERB.test(after))) return true;
    }
    return false;
  });
}
