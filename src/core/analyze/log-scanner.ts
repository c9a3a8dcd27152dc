// Streams a log once and keeps only what the rules can use: the lines that contain one of the
// rules' literal anchors, the lines around them the rules ask for, the first 64 KB (to tell
// what the file is) and the last line. The hot loop searches the raw bytes for all anchors at
// once (encoded as the file is); only matched lines are decoded.
// So a 1 GB setupact.log costs one pass at near regex speed and a few MB of memory.

import iconv from 'iconv-lite';
import { byteLayout, hasUtf8Bom, LineDecoder, type ByteLayout } from './decode-text';
import { matcherFor, type Matcher } from './literal-matcher';

export interface AnchorSpec {
  literal: string;
  /** Lines of context to keep before and after each line holding the anchor. */
  before: number;
  after: number;
  /** Stop looking after this many lines (1 for a marker whose presence is all that matters). */
  maxHits?: number;
}

/** What a scan keeps, as plain data. */
export interface ScanData {
  /** What the file holds: `utf16le`, `utf8bom`, `gb18030`, `utf8+gb18030` (mixed by line)… */
  encoding: string;
  /** Decoded start of the file, for recognising what it is. */
  head: string;
  lineCount: number;
  /** Anchor → the (1-based) lines holding it, in order, at most MAX_HITS_PER_ANCHOR. */
  hits: Map<string, number[]>;
  /** Kept lines (anchor lines, their context, the first line and the last TAIL_LINES) by number. */
  lines: Map<number, string>;
  lastLine: number;
}

export interface ScannedLog extends ScanData {
  line(n: number): string | undefined;
}

export function scannedLog(data: ScanData): ScannedLog {
  return { ...data, line: (n) => data.lines.get(n) };
}

/** Bounds the work and memory one anchor can cost on a hostile log that repeats it. */
export const MAX_HITS_PER_ANCHOR = 5000;
/** A line longer than this is cut for display; its bytes are still scanned. */
const MAX_KEPT_LINE = 64 * 1024;
/** A "line" that runs on this long without a break is scanned in pieces rather than held. */
const MAX_CARRY = 8 * 1024 * 1024;
const HEAD_BYTES = 64 * 1024;
/** Enough of the start to tell the encoding and what the file is. */
const SNIFF_BYTES = 64 * 1024;
const SAMPLE_BYTES = 1024 * 1024;
const BLOCK_BYTES = 1024 * 1024;
/** The end of a log is kept: where a run that never finished stopped. */
export const TAIL_LINES = 5;

export class LogScanner {
  private layout: ByteLayout | null = null;
  private decoder: LineDecoder | null = null;
  private transcoder: iconv.DecoderStream | null = null;
  private sniff: Buffer[] = [];
  private sniffed = 0;
  private carry: Buffer = Buffer.alloc(0);
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private headBytes: Buffer[] = [];
  private headSize = 0;
  private lineBase = 1;
  private readonly kept = new Map<number, string>();
  private readonly hits = new Map<string, number[]>();
  private matcher: Matcher | null = null;
  /** Encoded anchors seen often enough: no longer looked for. */
  private readonly dropped = new Set<string>();
  /** latin1 form of an encoded anchor → the anchors it stands for. */
  private byKey = new Map<string, AnchorSpec[]>();
  private pendingAfter = 0;
  private readonly recent: { line: number; text: string }[] = [];
  private lastLine = 0;
  private lastLineText = '';

  private specs: AnchorSpec[] = [];
  private maxBefore = 1;

  /** `specsFor` chooses the anchors once the start of the file shows what it is. */
  constructor(
    private readonly specsFor: (head: string) => AnchorSpec[],
    private readonly ansi?: string,
  ) {}

  push(chunk: Buffer): void {
    if (this.layout === null) {
      this.sniff.push(chunk);
      this.sniffed += chunk.length;
      if (this.sniffed < SNIFF_BYTES) return;
      this.start();
      return;
    }
    this.feed(chunk);
  }

  end(): ScannedLog {
    if (this.layout === null) this.start();
    if (this.transcoder) {
      const rest = this.transcoder.end();
      if (rest) this.feedUtf8(Buffer.from(rest, 'utf8'));
    }
    this.flush();
    if (this.carry.length > 0) {
      this.scanBlock(this.carry, true);
      this.carry = Buffer.alloc(0);
    }
    for (const r of this.recent) if (r.text.trim() !== '' && !this.kept.has(r.line)) this.kept.set(r.line, r.text);
    return scannedLog({
      encoding: this.layout === 'bytes' ? this.decoder!.label() : this.layout!,
      head: this.decode(Buffer.concat(this.headBytes)).replace(/^\uFEFF/, ''),
      lineCount: this.lineBase - 1,
      hits: this.hits,
      lines: this.kept,
      lastLine: this.lastLine,
    });
  }

  private start(): void {
    const first = Buffer.concat(this.sniff);
    this.sniff = [];
    this.layout = byteLayout(first.subarray(0, SNIFF_BYTES));
    this.decoder = new LineDecoder(this.ansi, hasUtf8Bom(first));
    // UTF-16 is transcoded to UTF-8 so that a newline is one byte everywhere.
    if (this.layout !== 'bytes') this.transcoder = iconv.getDecoder(this.layout) as unknown as iconv.DecoderStream;
    const head = this.transcoder ? iconv.decode(first.subarray(0, HEAD_BYTES), this.layout) : this.decode(first.subarray(0, HEAD_BYTES));
    this.specs = this.specsFor(head.replace(/^\uFEFF/, ''));
    this.maxBefore = Math.max(1, ...this.specs.map((s) => s.before));
    // The start of the file is what "rare" means for this log.
    this.buildMatcher(first.subarray(0, SAMPLE_BYTES));
    this.feed(first);
  }

  private feed(chunk: Buffer): void {
    if (this.transcoder) {
      const text = (this.transcoder as unknown as { write(b: Buffer): string }).write(chunk);
      if (text) this.feedUtf8(Buffer.from(text, 'utf8'));
      return;
    }
    this.feedUtf8(chunk);
  }

  /** Bytes in the scanning encoding (the file's own, or UTF-8 for UTF-16 files). */
  private feedUtf8(chunk: Buffer): void {
    if (this.headSize < HEAD_BYTES) {
      const take = chunk.subarray(0, HEAD_BYTES - this.headSize);
      this.headBytes.push(Buffer.from(take));
      this.headSize += take.length;
    }
    // Inflate and read streams hand out small chunks: scan in blocks of about 1 MB.
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    if (this.pendingBytes >= BLOCK_BYTES) this.flush();
  }

  private flush(): void {
    if (this.pendingBytes === 0) return;
    let data = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending);
    this.pending = [];
    this.pendingBytes = 0;
    // The line cut between two chunks is joined on its own; the rest is scanned where it lies
    // (copying every block cost a tenth of the scan and doubled the memory waiting for GC).
    if (this.carry.length > 0) {
      const firstBreak = data.indexOf(10);
      if (firstBreak < 0) data = Buffer.concat([this.carry, data]);
      else {
        this.scanBlock(Buffer.concat([this.carry, data.subarray(0, firstBreak + 1)]), true);
        data = data.subarray(firstBreak + 1);
      }
      this.carry = Buffer.alloc(0);
    }
    const lastBreak = data.lastIndexOf(10);
    if (lastBreak < 0) {
      if (data.length > MAX_CARRY) this.scanBlock(data, false);
      else this.carry = Buffer.from(data);
      return;
    }
    this.scanBlock(data.subarray(0, lastBreak + 1), true);
    this.carry = Buffer.from(data.subarray(lastBreak + 1));
  }

  /** Scans a block of lines (`complete`: its last line is whole, the file may end without a break). */
  private scanBlock(block: Buffer, complete: boolean): void {
    this.decoder!.note(block);
    // Line breaks are found with Buffer.indexOf (memchr), not a JavaScript loop or a string copy.
    let breaksSeen = 0;
    let breakPos = -1;
    const lineOf = (offset: number) => {
      for (let i = block.indexOf(10, breakPos + 1); i !== -1 && i < offset; i = block.indexOf(10, i + 1)) {
        breaksSeen++;
        breakPos = i;
      }
      return this.lineBase + breaksSeen;
    };
    // Context owed to a hit at the end of the previous block.
    if (this.pendingAfter > 0) this.keepFollowing(block, 0, this.lineBase, this.pendingAfter);
    this.pendingAfter = 0;

    const next = (from: number) => (this.matcher ? this.matcher.next(block, from, this.dropped) : -1);
    for (let m = next(0); m !== -1;) {
      const start = lastBreakBefore(block, m) + 1;
      const endBreak = block.indexOf(10, m);
      const end = endBreak < 0 ? block.length : endBreak;
      const line = lineOf(m);
      // Every anchor on the line counts, not only the first one found.
      const specs = new Set<AnchorSpec>();
      for (const key of this.matcher!.keysIn(block, start, end, this.dropped))
        for (const spec of this.byKey.get(key) ?? []) specs.add(spec);
      for (const spec of specs) {
        const list = this.hits.get(spec.literal) ?? [];
        list.push(line);
        this.hits.set(spec.literal, list);
        if (list.length >= (spec.maxHits ?? MAX_HITS_PER_ANCHOR)) this.dropAnchor(spec);
      }
      this.keep(line, block, start, end);
      const before = Math.max(0, ...[...specs].map((s) => s.before));
      const after = Math.max(0, ...[...specs].map((s) => s.after));
      if (before > 0) this.keepPreceding(block, start, line, before);
      if (after > 0) this.pendingAfter = Math.max(this.pendingAfter, this.keepFollowing(block, end + 1, line + 1, after));
      m = next(end);
    }

    const breaks = lineOf(block.length) - this.lineBase;
    const endsWithBreak = block.length > 0 && block[block.length - 1] === 10;
    const total = breaks + (endsWithBreak ? 0 : 1);
    this.rememberTail(block, this.lineBase + total);
    if (endsWithBreak) this.lineBase += breaks;
    else if (complete) this.lineBase += breaks + 1;
    else this.lineBase += breaks; // a monster line split in pieces keeps its number
  }

  /** Keeps the block's last lines (context for a hit early in the next block) and the file's last line. */
  private rememberTail(block: Buffer, nextLine: number): void {
    const body = block.length > 0 && block[block.length - 1] === 10 ? block.length - 1 : block.length;
    const pieces: { start: number; end: number }[] = [];
    let end = body;
    while (pieces.length < Math.max(this.maxBefore, TAIL_LINES) && end >= 0) {
      const start = lastBreakBefore(block, end) + 1;
      pieces.unshift({ start, end });
      if (start === 0) break;
      end = start - 1;
    }
    // A short block (one joined line) leaves the lines before it in `recent`: context may reach them.
    const wanted = Math.max(this.maxBefore, TAIL_LINES);
    const firstNew = nextLine - pieces.length;
    while (this.recent.length > 0 && this.recent[this.recent.length - 1]!.line >= firstNew) this.recent.pop();
    this.recent.splice(0, Math.max(0, this.recent.length + pieces.length - wanted));
    let n = firstNew;
    for (const p of pieces) {
      const t = this.lineText(block, p.start, p.end);
      this.recent.push({ line: n, text: t });
      if (t.trim() !== '') {
        this.lastLine = n;
        this.lastLineText = t;
      }
      n++;
    }
    if (this.lastLine > 0) this.kept.set(this.lastLine, this.lastLineText);
    if (this.lineBase === 1 && !this.kept.has(1) && block.length > 0) {
      const e = block.indexOf(10);
      this.kept.set(1, this.lineText(block, 0, e < 0 ? block.length : e));
    }
  }

  private keep(line: number, block: Buffer, start: number, end: number): void {
    if (!this.kept.has(line)) this.kept.set(line, this.lineText(block, start, end));
  }

  private keepPreceding(block: Buffer, lineStart: number, line: number, count: number): void {
    let end = lineStart - 1;
    let n = line - 1;
    for (let k = 0; k < count && n >= 1; k++, n--) {
      if (end < 0) {
        // The line is in an earlier block.
        const r = this.recent.find((x) => x.line === n);
        if (r && !this.kept.has(n)) this.kept.set(n, r.text);
        continue;
      }
      const start = lastBreakBefore(block, end) + 1;
      this.keep(n, block, start, end);
      end = start - 1;
    }
  }

  /** Keeps `count` lines from `offset`; returns how many are owed by the next block. */
  private keepFollowing(block: Buffer, offset: number, line: number, count: number): number {
    let start = offset;
    for (let k = 0; k < count; k++) {
      if (start >= block.length) return count - k;
      const e = block.indexOf(10, start);
      this.keep(line + k, block, start, e < 0 ? block.length : e);
      if (e < 0) return count - k - 1;
      start = e + 1;
    }
    return 0;
  }

  private lineText(block: Buffer, start: number, end: number): string {
    const slice = block.subarray(start, Math.min(end, start + MAX_KEPT_LINE * 4));
    return this.decode(slice)
      .replace(/\r$/, '')
      .replace(/^\uFEFF/, '')
      .replace(/\u0000/g, '')
      .slice(0, MAX_KEPT_LINE);
  }

  /** By each line's own bytes (UTF-16 input was transcoded to UTF-8 before scanning). */
  private decode(bytes: Buffer): string {
    return this.decoder!.decode(bytes);
  }

  /** Seen often enough: stop searching for it, and forget its encoded form once no anchor needs it. */
  private dropAnchor(spec: AnchorSpec): void {
    for (const [key, list] of this.byKey) {
      if (!list.includes(spec)) continue;
      const rest = list.filter((s) => s !== spec);
      if (rest.length > 0) {
        this.byKey.set(key, rest);
        continue;
      }
      this.byKey.delete(key);
      this.dropped.add(key);
    }
  }

  private buildMatcher(sample: Buffer): void {
    // A line may be UTF-8 or ANSI, so an anchor that is not ASCII is looked for in both.
    const encodings = this.layout === 'bytes' ? ['utf8', this.decoder!.ansi] : ['utf8'];
    this.byKey = new Map();
    for (const spec of this.specs) {
      if ((this.hits.get(spec.literal)?.length ?? 0) >= (spec.maxHits ?? MAX_HITS_PER_ANCHOR)) continue;
      for (const key of new Set(encodings.map((e) => iconv.encode(spec.literal, e).toString('latin1')))) {
        const list = this.byKey.get(key) ?? [];
        list.push(spec);
        this.byKey.set(key, list);
      }
    }
    const keys = [...this.byKey.keys()].filter((k) => k.length >= 3);
    this.matcher = keys.length === 0 ? null : matcherFor(keys, sample);
  }
}

/** The last line break before `offset` (String.lastIndexOf semantics: a negative Buffer offset would count from the end). */
function lastBreakBefore(block: Buffer, offset: number): number {
  return offset <= 0 ? -1 : block.lastIndexOf(10, offset - 1);
}

/** Scans a whole log held in memory or any iterable of chunks. */
export async function scanLog(
  chunks: AsyncIterable<Buffer> | Iterable<Buffer>,
  specs: AnchorSpec[] | ((head: string) => AnchorSpec[]),
  ansi?: string,
): Promise<ScannedLog> {
  const scanner = new LogScanner(typeof specs === 'function' ? specs : () => specs, ansi);
  for await (const chunk of chunks) scanner.push(chunk);
  return scanner.end();
}
