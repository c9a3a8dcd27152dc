// Decodes log text by the bytes of each line, never by a sample of the file. Windows writes
// setup logs in UTF-16 (SetupDiag's XML), or in 8-bit text where components differ: most
// lines are ASCII, some components write UTF-8 and others the system's ANSI code page (GBK
// on Chinese systems), often in one file. A GBK log may run 100,000 ASCII lines before its
// first Chinese one, and a UTF-8 log (BOM and all) may hold one stray Windows-1252 byte.
// So an 8-bit line that is valid UTF-8 is read as UTF-8, one that is not in the ANSI code page,
// and one that is neither as Windows-1252 (a Western component's `®`).

import { isAscii, isUtf8 } from 'node:buffer';
import iconv from 'iconv-lite';
import type { LogFileInput } from '../types';

/** GB18030 is the superset of GB2312 and GBK, so it decodes all of them. */
export const DEFAULT_ANSI_CODE_PAGE = 'gb18030';
const WESTERN = 'windows-1252';

/** How a file's bytes are laid out: UTF-16 (transcoded whole), or 8-bit text decoded line by line. */
export type ByteLayout = 'utf16le' | 'utf16be' | 'bytes';

export function byteLayout(bytes: Buffer): ByteLayout {
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) return 'utf16le';
  if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff) return 'utf16be';
  return guessUnmarkedUtf16(bytes) ?? 'bytes';
}

export function hasUtf8Bom(bytes: Buffer): boolean {
  return bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
}

/**
 * Decodes 8-bit log text line by line and remembers which encodings it met, so a report can
 * say what the file holds (`gb18030`, `utf8bom`, `utf8+gb18030` where a file mixes them).
 */
export class LineDecoder {
  private readonly met = new Set<string>();
  private invalidUtf8 = false;

  constructor(
    readonly ansi: string = DEFAULT_ANSI_CODE_PAGE,
    private readonly bom = false,
  ) {}

  /** One line or several (split at LF): each decoded by its own bytes. */
  decode(bytes: Buffer): string {
    if (isAscii(bytes)) return bytes.toString('latin1');
    if (isUtf8(bytes)) {
      this.met.add('utf8');
      return bytes.toString('utf8');
    }
    let out = '';
    for (let start = 0; start < bytes.length;) {
      const lf = bytes.indexOf(10, start);
      const end = lf < 0 ? bytes.length : lf + 1;
      out += this.decodeLine(bytes.subarray(start, end));
      start = end;
    }
    return out;
  }

  /** Notes what a block of lines holds without decoding it (native checks: a block costs microseconds). */
  note(block: Buffer): void {
    if (this.invalidUtf8 && this.met.has('utf8')) return;
    if (isAscii(block)) return;
    if (isUtf8(block)) this.met.add('utf8');
    else this.invalidUtf8 = true;
  }

  /** What was found: `utf8`, `utf8bom`, the ANSI code page, `windows-1252`, or several joined by `+`. */
  label(): string {
    const found = this.bom ? ['utf8bom'] : this.met.has('utf8') ? ['utf8'] : [];
    const fallbacks = [this.ansi, WESTERN].filter((e) => this.met.has(e));
    // Bytes that are not UTF-8 were seen, but no line holding them was decoded: read in the ANSI code page.
    if (this.invalidUtf8 && fallbacks.length === 0) fallbacks.push(this.ansi);
    found.push(...fallbacks);
    return found.length > 0 ? found.join('+') : 'utf8';
  }

  private decodeLine(line: Buffer): string {
    if (isAscii(line)) return line.toString('latin1');
    if (isUtf8(line)) {
      this.met.add('utf8');
      return line.toString('utf8');
    }
    this.invalidUtf8 = true;
    const ansi = iconv.decode(line, this.ansi);
    if (!ansi.includes('\uFFFD')) {
      this.met.add(this.ansi);
      return ansi;
    }
    this.met.add(WESTERN);
    return iconv.decode(line, WESTERN);
  }
}

/** A whole text (bounded reads: SetupDiag results, case memory's normal logs). */
export function decodeText(bytes: Buffer, ansi: string = DEFAULT_ANSI_CODE_PAGE): string {
  const layout = byteLayout(bytes);
  if (layout !== 'bytes') return iconv.decode(bytes, layout).replace(/^\uFEFF/, '');
  return new LineDecoder(ansi).decode(hasUtf8Bom(bytes) ? bytes.subarray(3) : bytes);
}

/** Text with many NULs on one parity is UTF-16 without a BOM. */
function guessUnmarkedUtf16(bytes: Buffer): ByteLayout | null {
  const sample = Math.min(bytes.length, 4096) & ~1;
  if (sample < 8) return null;
  let evenNul = 0;
  let oddNul = 0;
  for (let i = 0; i < sample; i += 2) {
    if (bytes[i] === 0) evenNul++;
    if (bytes[i + 1] === 0) oddNul++;
  }
  const pairs = sample / 2;
  if (oddNul > pairs * 0.4 && evenNul < pairs * 0.05) return 'utf16le';
  if (evenNul > pairs * 0.4 && oddNul < pairs * 0.05) return 'utf16be';
  return null;
}

/** The start of a log (up to about `maxBytes`), decoded: for logs read whole, bounded. */
export async function readLogText(file: LogFileInput, maxBytes: number, ansi?: string): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of file.open()) {
    chunks.push(chunk);
    size += chunk.length;
    if (size >= maxBytes) break;
  }
  return decodeText(Buffer.concat(chunks), ansi);
}
