// SetupDiag writes its result as text, XML (UTF-16) or JSON. Rules are written against the
// text form, so the XML and JSON forms are turned into the same `Key: value` lines first.

export function setupdiagAsText(text: string): string {
  const trimmed = text.trimStart();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) return fromJson(trimmed) ?? text;
  if (/<SetupDiag[\s>]/.test(text)) return fromXml(text);
  return text;
}

function fromXml(xml: string): string {
  const lines: string[] = [];
  for (const m of xml.matchAll(/<([A-Za-z][\w.]*)(?:\s[^>]*)?>([^<]*)<\/\1>/g)) {
    const value = decodeEntities(m[2]!).trim();
    if (value === '') continue;
    for (const [i, part] of value.split(/\r?\n/).entries()) lines.push(i === 0 ? `${m[1]}: ${part}` : part);
  }
  return lines.join('\n');
}

function fromJson(json: string): string | null {
  let data: unknown;
  try {
    data = JSON.parse(json);
  } catch {
    return null;
  }
  const lines: string[] = [];
  const visit = (key: string, value: unknown): void => {
    if (Array.isArray(value)) value.forEach((v) => visit(key, v));
    else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) visit(k, v);
    else if (value !== null && value !== undefined && String(value).trim() !== '') {
      for (const [i, part] of String(value).split(/\r?\n/).entries()) lines.push(i === 0 ? `${key}: ${part}` : part);
    }
  };
  visit('', data);
  return lines.join('\n');
}

function decodeEntities(s: string): string {
  return s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&#x([0-9a-f]+);/gi, (_, h: string) => String.fromCodePoint(parseInt(h, 16)))
    .replace(/&#(\d+);/g, (_, d: string) => String.fromCodePoint(Number(d)))
    .replace(/&amp;/g, '&');
}
