// Finds any of many literals in raw bytes, fast, in plain JavaScript. Each literal is indexed
// by its rarest four-byte window, rarity judged on a sample of the file being searched, so the
// hot loop is a flag lookup per byte, and full comparisons run only at flagged windows. The
// loop reads the text a 32-bit word at a time and makes the word's four windows from it with
// shifts: one memory read per four bytes instead of four. Rarity is judged on the first file a
// matcher is built for; later files reuse it (sharedMatcher). The sample can misjudge (a
// 1 GB log changes along the way): a window that keeps matching without its literal is
// replaced by the literal's next rarest while the search runs.
// Four bytes, not three: an anchor of common English words ("Operation failed:") has no rare
// three-byte window in a setup log, and checking its false hits cost more than the loop itself
// (measured on 433 MB of realistic setupact.log: 7-10 million checks for 37,000 hits).
// A three-byte literal is indexed by every byte that may follow it, and checked on its own
// where nothing follows (the end of the text).
// (Measured here on 200 MB of setupact.log: a byte at a time 290 ms of loop, a word at a time
// 170 ms. A regular expression of the same ~150 alternatives ran 3-5x slower, and Wu-Manber
// or indexing whole words slower still: log text is full of the anchors' common words.)

/** A flag per hashed four-byte window: 256 KB, which stays in the CPU cache (measured: 10% faster than 16 MB). */
const SLOT_BITS = 18;
const WINDOWS = 1 << SLOT_BITS;
/** Buckets of the sampled window frequencies. */
const SAMPLE_BUCKETS = 1 << 20;
/** Buckets of the flagged windows' entries: small enough to stay in the CPU's cache. */
const ENTRY_BUCKET_BITS = 16;
/**
 * Misses (window there, literal not) are judged every MISS_CHECK; more than one per
 * REPLACE_EVERY bytes searched and the window is replaced (a miss costs about 30 flag lookups).
 */
const MISS_CHECK = 256;
const REPLACE_EVERY = 16 * 1024;

interface Entry {
  literal: Buffer;
  /** The literal as a latin1 string: how callers name it. */
  key: string;
  /** The indexed window (four bytes, first byte lowest, as an int32) and where it starts in the literal. */
  window: number;
  offset: number;
  misses: number;
  /** Bytes searched when the misses were last judged. */
  since: number;
}

/** verify() found the window misjudged and replaced it: search the last stretch again. */
const REPLACED = -2;

export class LiteralMatcher implements Matcher {
  /** Entries per window slot (so a replaced window is unflagged only when no other literal uses it). */
  private readonly flags = new Uint8Array(WINDOWS);
  private readonly buckets: (Entry[] | undefined)[] = new Array<Entry[] | undefined>(1 << ENTRY_BUCKET_BITS).fill(undefined);
  private readonly freq = new Uint16Array(SAMPLE_BUCKETS);
  /** Windows found common in the text searched: never chosen again. */
  private readonly common = new Set<number>();
  /** Three-byte literals: at the very end of the text no byte follows them, so no window holds them. */
  private readonly short: { literal: Buffer; key: string }[] = [];
  private readonly longest: number;
  /** Bytes searched so far: the clock miss rates are judged by. */
  private searched = 0;

  /** `literals` are at least 3 bytes; `sample` is typical text of the file to search. */
  constructor(literals: Buffer[], sample: Buffer) {
    for (let i = 0; i + 4 <= sample.length; i++) {
      const b = bucket(window(sample, i));
      if (this.freq[b]! < 0xffff) this.freq[b]!++;
    }
    for (const literal of literals) {
      const key = literal.toString('latin1');
      if (literal.length === 3) {
        this.short.push({ literal, key });
        const head = literal[0]! | (literal[1]! << 8) | (literal[2]! << 16);
        for (let next = 0; next < 256; next++) this.add({ literal, key, window: head | (next << 24), offset: 0, misses: 0, since: 0 });
        continue;
      }
      const offset = this.rarestWindow(literal)!;
      this.add({ literal, key, window: window(literal, offset), offset, misses: 0, since: 0 });
    }
    this.longest = Math.max(4, ...literals.map((l) => l.length));
  }

  /** Where the literal's rarest window not known to be common starts, or null when none is left. */
  private rarestWindow(literal: Buffer): number | null {
    let best: number | null = null;
    for (let j = 0; j + 4 <= literal.length; j++) {
      if (this.common.has(window(literal, j))) continue;
      if (best === null || this.freq[bucket(window(literal, j))]! < this.freq[bucket(window(literal, best))]!) best = j;
    }
    return best;
  }

  private add(e: Entry): void {
    this.flags[slot(e.window)]!++;
    const b = entryBucket(e.window);
    this.buckets[b] = [...(this.buckets[b] ?? []), e];
  }

  private remove(e: Entry): void {
    this.flags[slot(e.window)]!--;
    const b = entryBucket(e.window);
    const rest = this.buckets[b]!.filter((x) => x !== e);
    this.buckets[b] = rest.length > 0 ? rest : undefined;
  }

  /** Too many misses for the bytes searched: index the literal by another window. True when replaced. */
  private judgeMisses(e: Entry, clock: number): boolean {
    const often = e.misses * REPLACE_EVERY > clock - e.since;
    e.misses = 0;
    e.since = clock;
    // A three-byte literal has no other window.
    if (!often || e.literal.length === 3) return false;
    this.common.add(e.window);
    const offset = this.rarestWindow(e.literal);
    if (offset === null) return false;
    this.remove(e);
    this.add({ ...e, window: window(e.literal, offset), offset });
    return true;
  }

  /**
   * Offset of a literal found at or after `from` (where it starts), or -1; no literal on an
   * earlier line is passed over. Literals in `skip` (latin1 keys) are no longer wanted: a
   * matcher is shared, so callers skip, not remove.
   */
  next(data: Buffer, from: number, skip: ReadonlySet<string> = NONE): number {
    const at = this.scan(data, from, skip);
    if (at !== REPLACED) return at;
    // A literal overlapping the place of the replacement may be indexed before it now.
    return this.next(data, Math.max(from, this.lastEnd - this.longest - 3), skip);
  }

  /** Where the last scan stopped: for the clock, and to search again after a replacement. */
  private lastEnd = 0;

  private scan(data: Buffer, from: number, skip: ReadonlySet<string>): number {
    const flags = this.flags;
    const start = Math.max(0, from);
    const end = data.length;
    if (end - start < 3) return -1;
    // Windows end at `i`. Byte by byte up to an aligned word, a word at a time, then the tail.
    let i = start + 3;
    const aligned = Math.min(end, i + ((4 - ((data.byteOffset + i) % 4)) % 4));
    for (; i < aligned; i++) {
      const w = window(data, i - 3);
      if (flags[slot(w)] !== 0) {
        const s = this.verify(data, w, i, start, skip);
        if (s !== -1) return s;
      }
    }
    const words = i < end && (data.byteOffset + i) % 4 === 0 ? new Uint32Array(data.buffer, data.byteOffset + i, (end - i) >> 2) : NO_WORDS;
    // The three bytes before the first word, as the high bytes of a "previous word".
    let prev = (data[i - 3]! << 8) | (data[i - 2]! << 16) | (data[i - 1]! << 24);
    for (let k = 0; k < words.length; k++) {
      const word = words[k]! | 0;
      const w0 = (prev >>> 8) | (word << 24);
      const w1 = (prev >>> 16) | (word << 16);
      const w2 = (prev >>> 24) | (word << 8);
      prev = word;
      if ((flags[slot(w0)]! | flags[slot(w1)]! | flags[slot(w2)]! | flags[slot(word)]!) === 0) continue;
      const at = i + 4 * k;
      let s = flags[slot(w0)] === 0 ? -1 : this.verify(data, w0, at, start, skip);
      if (s === -1 && flags[slot(w1)] !== 0) s = this.verify(data, w1, at + 1, start, skip);
      if (s === -1 && flags[slot(w2)] !== 0) s = this.verify(data, w2, at + 2, start, skip);
      if (s === -1 && flags[slot(word)] !== 0) s = this.verify(data, word, at + 3, start, skip);
      if (s !== -1) return s;
    }
    for (i += 4 * words.length; i < end; i++) {
      const w = window(data, i - 3);
      if (flags[slot(w)] !== 0) {
        const s = this.verify(data, w, i, start, skip);
        if (s !== -1) return s;
      }
    }
    return this.stop(start, end, this.shortAtEnd(data, start, end, skip));
  }

  /** A three-byte literal that ends the text (no byte follows it, so no window holds it), or -1. */
  private shortAtEnd(data: Buffer, from: number, to: number, skip: ReadonlySet<string>): number {
    const s = to - 3;
    if (s < from) return -1;
    for (const { literal, key } of this.short) if (!skip.has(key) && startsWith(data, s, literal)) return s;
    return -1;
  }

  /** The start of a wanted literal whose indexed window `w` ends at `end`, -1, or REPLACED. */
  private verify(data: Buffer, w: number, end: number, from: number, skip: ReadonlySet<string>): number {
    const list = this.buckets[entryBucket(w)];
    if (list === undefined) return -1;
    for (let k = 0; k < list.length; k++) {
      const e = list[k]!;
      if (e.window !== w || (skip.size > 0 && skip.has(e.key))) continue;
      const s = end - 3 - e.offset;
      if (s >= from && s + e.literal.length <= data.length && startsWith(data, s, e.literal)) return this.stop(from, end, s);
      if (++e.misses >= MISS_CHECK && this.judgeMisses(e, this.searched + end - from)) return this.stop(from, end, REPLACED);
    }
    return -1;
  }

  private stop(from: number, end: number, result: number): number {
    this.searched += end - from;
    this.lastEnd = end;
    return result;
  }

  /** The latin1 keys of every wanted literal wholly inside [from, to): all anchors of one line. */
  keysIn(data: Buffer, from: number, to: number, skip: ReadonlySet<string> = NONE): Set<string> {
    const found = new Set<string>();
    for (let i = from + 3; i < to; i++) {
      const w = window(data, i - 3);
      if (this.flags[slot(w)] === 0) continue;
      for (const e of this.buckets[entryBucket(w)] ?? []) {
        if (e.window !== w || found.has(e.key) || (skip.size > 0 && skip.has(e.key))) continue;
        const s = i - 3 - e.offset;
        if (s >= from && s + e.literal.length <= to && startsWith(data, s, e.literal)) found.add(e.key);
      }
    }
    const s = to - 3;
    if (s >= from) for (const { literal, key } of this.short) if (!skip.has(key) && startsWith(data, s, literal)) found.add(key);
    return found;
  }
}

const NONE: ReadonlySet<string> = new Set();
const NO_WORDS = new Uint32Array(0);

/** What the scanner asks of a matcher (a literal's key is its latin1 string). */
export interface Matcher {
  next(data: Buffer, from: number, skip?: ReadonlySet<string>): number;
  keysIn(data: Buffer, from: number, to: number, skip?: ReadonlySet<string>): Set<string>;
}

/**
 * One or two literals (a fact's value, in UTF-8 and the ANSI code page) need no table: V8's
 * Buffer.indexOf finds them faster than any loop here, and costs no 16 MB.
 */
export class FewLiteralsMatcher implements Matcher {
  private readonly literals: { key: string; bytes: Buffer }[];

  constructor(keys: string[]) {
    this.literals = keys.map((key) => ({ key, bytes: Buffer.from(key, 'latin1') }));
  }

  next(data: Buffer, from: number, skip: ReadonlySet<string> = NONE): number {
    let first = -1;
    for (const { key, bytes } of this.literals) {
      if (skip.has(key)) continue;
      const at = data.indexOf(bytes, Math.max(0, from));
      if (at !== -1 && (first === -1 || at < first)) first = at;
    }
    return first;
  }

  keysIn(data: Buffer, from: number, to: number, skip: ReadonlySet<string> = NONE): Set<string> {
    const line = data.subarray(from, to);
    return new Set(this.literals.filter(({ key, bytes }) => !skip.has(key) && line.indexOf(bytes) !== -1).map(({ key }) => key));
  }
}

/** Few literals are found with indexOf; more with a table matcher, shared by bundles with the same anchors. */
export function matcherFor(keys: string[], sample: Buffer): Matcher {
  return keys.length <= FEW_LITERALS ? new FewLiteralsMatcher(keys) : sharedMatcher(keys, sample);
}

const FEW_LITERALS = 2;

/** Building a matcher costs a 16 MB table: bundles share one per anchor set and encoding. */
const shared = new Map<string, LiteralMatcher>();
const SHARED_MATCHERS = 8;

export function sharedMatcher(keys: string[], sample: Buffer): LiteralMatcher {
  const id = [...keys].sort().join('\u0000');
  let matcher = shared.get(id);
  if (!matcher) {
    matcher = new LiteralMatcher(
      keys.map((k) => Buffer.from(k, 'latin1')),
      sample,
    );
    if (shared.size >= SHARED_MATCHERS) shared.delete(shared.keys().next().value!);
    shared.set(id, matcher);
  }
  return matcher;
}

/** Four bytes from `at`, the first lowest (as a little-endian word's bytes combine), as an int32. */
function window(b: Buffer, at: number): number {
  return b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24);
}

/** A window's flag: four bytes hashed to 24 bits. */
function slot(w: number): number {
  return Math.imul(w, 0x9e3779b1) >>> (32 - SLOT_BITS);
}

function bucket(w: number): number {
  return Math.imul(w, 2654435761) >>> 12;
}

function entryBucket(w: number): number {
  return Math.imul(w, 2246822519) >>> (32 - ENTRY_BUCKET_BITS);
}

function startsWith(data: Buffer, at: number, literal: Buffer): boolean {
  for (let i = 0; i < literal.length; i++) if (data[at + i] !== literal[i]) return false;
  return true;
}
