// Search tokens for case memory: the same space-joined string goes into SQLite FTS5 (unicode61)
// today and PostgreSQL's `simple` text search later, so every token is lower-case letters and
// digits only. Chinese is cut into overlapping character bigrams (the literature finds them as
// good as word segmentation for retrieval, and query and index are cut the same way); codes
// are normalised so that `0x00000005`, `Error 5`, 拒绝访问 and "Access denied" are one token.

import type { Knowledge } from '../analyze/knowledge';

const CJK = /[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+/g;
const GUID = /\{?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\}?/gi;
const HEX = /\b0x([0-9a-f]{1,16})\b/gi;
/** Bare 8-digit status codes as setup writes them (`Status: c0000024`). */
const BARE_STATUS = /\b([cd8][0-9a-f]{7})\b/gi;
/** Decimal Win32 errors as the migration engine writes them (`Error 5 while…`, `Error:  5`). */
const DECIMAL_ERROR = /\b(?:error|err|gle|错误)\s*[:：=]?\s*(\d{1,5})\b/gi;

const STOP_WORDS = new Set([
  'the',
  'a',
  'an',
  'of',
  'to',
  'in',
  'on',
  'for',
  'and',
  'or',
  'is',
  'was',
  'at',
  'by',
  'with',
  'from',
  'be',
  'it',
  'this',
  'that',
  'as',
]);

/** A code as one token: `x` and 8 lower-case hex digits (`0x5`, `5`, `0x00000005` → `x00000005`). */
export function codeToken(value: number): string {
  return `x${(value >>> 0).toString(16).padStart(8, '0')}`;
}

/** 0x8007xxxx is the Win32 error xxxx wrapped as an HRESULT: the same cause. Any other code is itself. */
export function win32Error(value: number): number {
  return value >>> 16 === 0x8007 ? value & 0xffff : value;
}

/** Every code a text mentions, normalised; an HRESULT of the Win32 facility also yields its Win32 code. */
export function codesIn(text: string): string[] {
  const out = new Set<string>();
  const add = (value: number) => {
    if (!Number.isFinite(value)) return;
    out.add(codeToken(value));
    out.add(codeToken(win32Error(value)));
  };
  const unguided = text.replace(GUID, ' ');
  for (const m of unguided.matchAll(HEX)) if (m[1]!.length <= 8) add(parseInt(m[1]!, 16));
  for (const m of unguided.matchAll(BARE_STATUS)) add(parseInt(m[1]!, 16));
  for (const m of unguided.matchAll(DECIMAL_ERROR)) add(Number(m[1]));
  return [...out];
}

/** Meaning (拒绝访问, "access denied") → code token, from the analyzer's code tables; a word of a term group → the group's token. */
export type CodeSynonyms = ReadonlyArray<readonly [phrase: string, token: string]>;

export function codeSynonyms(knowledge: Pick<Knowledge, 'codes' | 'terms'>): CodeSynonyms {
  const pairs: [string, string][] = [];
  // Words that say the same thing (蓝屏, 死机) become one token: letters and digits only, like every token.
  for (const [group, phrases] of Object.entries(knowledge.terms))
    for (const phrase of phrases) pairs.push([phrase.normalize('NFKC').toLowerCase(), `term${group.replace(/[^a-z0-9]/g, '')}`]);
  for (const table of Object.values(knowledge.codes)) {
    for (const [value, info] of table) {
      const token = codeToken(value);
      // Short meanings (无效, 失败) would match everywhere; only distinctive phrases count.
      const meaning = info.meaning.replace(/[（(].*?[)）]/g, '').trim();
      if ([...meaning].length >= 4) pairs.push([meaning, token]);
      const english = info.name
        .replace(/^(?:ERROR|STATUS|E|CO_E|WU_E|MOSETUP_E)_/, '')
        .replace(/_/g, ' ')
        .toLowerCase();
      if (english.split(' ').length >= 2) pairs.push([english, token]);
    }
  }
  return pairs;
}

/** Overlapping character bigrams of a run of Chinese; a lone character stands for itself. */
function bigrams(run: string): string[] {
  const chars = [...run];
  if (chars.length === 1) return chars;
  const out: string[] = [];
  for (let i = 0; i + 1 < chars.length; i++) out.push(chars[i]! + chars[i + 1]!);
  return out;
}

/**
 * The tokens of a text, in order, repeats kept (BM25 counts them): Chinese bigrams, ASCII
 * words (lower-case, ControlSet001 read as CurrentControlSet), normalised codes, and the code
 * of every error meaning the text spells out.
 */
export function searchTokens(text: string, synonyms: CodeSynonyms = []): string[] {
  const normal = text.normalize('NFKC').toLowerCase();
  const out: string[] = [];
  for (const m of normal.matchAll(CJK)) out.push(...bigrams(m[0]));
  const ascii = normal
    .replace(CJK, ' ')
    .replace(GUID, ' ')
    .replace(HEX, ' ')
    .replace(/\bcontrolset\d{3}\b/g, 'currentcontrolset')
    .replace(/\bhkey_local_machine\b/g, 'hklm');
  for (const word of ascii.split(/[^a-z0-9]+/)) {
    if (word.length < 2 || STOP_WORDS.has(word) || /^\d+$/.test(word) || /^[cd8][0-9a-f]{7}$/.test(word)) continue;
    out.push(word);
  }
  out.push(...codesIn(normal));
  const spaced = normal.replace(/\s+is\s+/g, ' ');
  for (const [phrase, token] of synonyms) if (spaced.includes(phrase)) out.push(token);
  return out;
}
