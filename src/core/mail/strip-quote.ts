// The customer's own words in a reply: everything above the quoted earlier mail.
// Chinese clients quote with "-----原始邮件-----" or a 发件人/From header block; others with "> ".

const QUOTE_STARTS = [
  /^-{3,}\s*(?:原始邮件|Original Message|转发邮件|Forwarded message)\s*-{3,}/i,
  /^\s*(?:发件人|From)\s*[:：].+/i,
  /^\s*在\s.+写道\s*[:：]\s*$/,
  /^\s*On\s.+wrote:\s*$/i,
  /^_{10,}\s*$/,
];

export function ownText(body: string): string {
  const lines = body.split(/\r?\n/);
  const kept: string[] = [];
  for (const line of lines) {
    if (QUOTE_STARTS.some((re) => re.test(line))) break;
    if (/^\s*>/.test(line)) continue;
    kept.push(line);
  }
  return kept.join('\n').trim();
}
