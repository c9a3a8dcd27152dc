// How much of casebot's draft reached the customer: 1 when sent as drafted, near 0 when the
// engineer rewrote it. Dice coefficient over character bigrams, whitespace ignored, so
// reflowed lines and a changed greeting cost little while new content costs a lot.

export function draftSimilarity(draft: string, sent: string): number {
  const a = bigrams(draft);
  const b = bigrams(sent);
  if (a.size === 0 && b.size === 0) return 1;
  let shared = 0;
  let total = 0;
  for (const [gram, n] of a) {
    shared += Math.min(n, b.get(gram) ?? 0);
    total += n;
  }
  for (const n of b.values()) total += n;
  return total === 0 ? 1 : Math.round(((2 * shared) / total) * 1000) / 1000;
}

function bigrams(text: string): Map<string, number> {
  const s = text.replace(/\s+/g, '');
  const out = new Map<string, number>();
  for (let i = 0; i + 1 < s.length; i++) {
    const g = s.slice(i, i + 2);
    out.set(g, (out.get(g) ?? 0) + 1);
  }
  return out;
}
