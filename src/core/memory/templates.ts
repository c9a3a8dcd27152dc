// Line templates of setup logs, mined Drain-style: each line loses its timestamp and level,
// the variable parts are masked (GUIDs, paths, registry paths, versions, hex, numbers), and
// lines of the same length and the same leading words that agree on most tokens are merged,
// the differing tokens becoming <*>. Function and operation names are never wildcarded: a
// template that merged `CDlpActionFinalize::ExecuteRoutine` with another function would merge
// different failures (the weak point of plain Drain on these logs).

const PANTHER_PREFIX = /^\s*\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2},\s+(\w+(?: Error)?)\s+(?:\[0x[0-9a-f]+\]\s+)?/i;
/** Each mask with a character its pattern cannot match without: a line lacking it skips the pattern. */
const MASKS: [RegExp, string, string | null][] = [
  [/\{?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\}?/gi, '<GUID>', '-'],
  [/\bHK(?:LM|CU|CR|U|EY_[A-Z_]+)\\[^\s\]"'.,;]*(?:\s*\[[^\]]*\])?/gi, '<REG>', '\\'],
  [/(?:\\\\\?\\|\\\?\?\\|\b[a-z]:\\|\\\\[\w.$-]+\\)[^\s"'<>|,;]*/gi, '<PATH>', '\\'],
  [/\b\d+(?:\.\d+){2,}(?:\.[\w-]+)*\b/g, '<VER>', '.'],
  [/\b0x[0-9a-f]+\b/gi, '<HEX>', null],
  [/\b[cd8][0-9a-f]{7}\b/gi, '<HEX>', null],
  [/\b\d+\b/g, '<NUM>', null],
];
/** A token that names a function, an operation or a field: kept as written. */
const PROTECTED = /::|\w\(|^\w+:$/;
const WILDCARD = '<*>';
const SIMILARITY = 0.6;
const PREFIX_DEPTH = 2;

/** The message of a Panther line with its variable parts masked; other lines are masked whole. */
export function maskLine(line: string): string {
  let text = line.replace(PANTHER_PREFIX, (_m, level: string) => `${level.toLowerCase().replace(' ', '-')} `);
  for (const [pattern, mask, needs] of MASKS) if (needs === null || text.includes(needs)) text = text.replace(pattern, mask);
  return text.replace(/\s+/g, ' ').trim();
}

export interface MinedTemplate {
  template: string;
  count: number;
}

interface Cluster {
  tokens: string[];
  /** Which tokens name a function or operation: fixed, since such a token is never wildcarded. */
  named: boolean[];
  count: number;
}

/** Groups lines into templates; the order of the result is the order templates first appeared. */
export function mineTemplates(lines: Iterable<string>): MinedTemplate[] {
  const groups = new Map<string, Cluster[]>();
  const order: Cluster[] = [];
  for (const line of lines) {
    const masked = maskLine(line);
    if (masked === '') continue;
    const tokens = masked.split(' ');
    const named = tokens.map((t) => PROTECTED.test(t));
    // Lines only merge with lines of the same length and the same leading tokens (Drain's tree).
    const key = `${tokens.length}|${tokens
      .slice(0, PREFIX_DEPTH)
      .map((t) => (/\d/.test(t) ? WILDCARD : t))
      .join(' ')}`;
    const candidates = groups.get(key) ?? [];
    let best: Cluster | null = null;
    let bestScore = -1;
    for (const c of candidates) {
      const score = similarity(c, tokens, named);
      if (score > bestScore) [best, bestScore] = [c, score];
    }
    if (best && bestScore >= SIMILARITY) {
      best.count++;
      best.tokens = best.tokens.map((t, i) => (t === tokens[i] ? t : WILDCARD));
      continue;
    }
    const cluster = { tokens, named, count: 1 };
    candidates.push(cluster);
    groups.set(key, candidates);
    order.push(cluster);
  }
  return order.map((c) => ({ template: c.tokens.join(' '), count: c.count }));
}

/** Share of positions that agree; -1 when a function or operation name differs (never merged). */
function similarity(template: Cluster, tokens: string[], named: boolean[]): number {
  let same = 0;
  for (let i = 0; i < tokens.length; i++) {
    const t = template.tokens[i]!;
    if (t === tokens[i]) same++;
    else if (template.named[i] || named[i]) return -1;
    else if (t === WILDCARD) same++;
  }
  return same / tokens.length;
}

/** How many lines before a rollback marker are read with it: the run-up to the failure. */
const LINES_BEFORE_ROLLBACK = 20;

/** The lines a failure fingerprint is mined from: Error/Fatal lines and the run-up to each rollback. */
export function failureLines(lines: readonly string[], rollbackMarkers: readonly string[]): string[] {
  const picked = new Set<number>();
  lines.forEach((line, i) => {
    if (/^\s*\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2},\s+(?:Error|Fatal Error|Fatal)\b/.test(line)) picked.add(i);
    else if (rollbackMarkers.some((m) => line.includes(m))) for (let j = Math.max(0, i - LINES_BEFORE_ROLLBACK); j <= i; j++) picked.add(j);
  });
  return [...picked].sort((a, b) => a - b).map((i) => lines[i]!);
}
