// Decodes a log file by its real encoding. Windows writes setup logs in the ANSI code page
// (GBK on Chinese systems), UTF-8 with or without a BOM, or UTF-16 (SetupDiag's XML).

import iconv from 'iconv-lite';
import type { LogFileInput } from '../types';

export type TextEncoding = 'utf8' | 'utf8bom' | 'utf16le' | 'utf16be' | 'gb18030';

export function detectEncoding(bytes: Buffer): TextEncoding {
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) return 'utf16le';
  if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff) return 'utf16be';
  const bom = bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
  const unmarkedUtf16 = guessUnmarkedUtf16(bytes);
  if (unmarkedUtf16) return unmarkedUtf16;
  // A BOM over bytes that are not UTF-8 happens (appended ANSI sessions): trust the bytes.
  if (isValidUtf8(bytes.subarray(bom ? 3 : 0))) return bom ? 'utf8bom' : 'utf8';
  // GB18030 is the superset of GB2312 and GBK, so it decodes all of them.
  return 'gb18030';
}

export function decodeText(bytes: Buffer, encoding: TextEncoding = detectEncoding(bytes)): string {
  switch (encoding) {
    case 'utf8':
      return bytes.toString('utf8');
    case 'utf8bom':
      return bytes.subarray(3).toString('utf8');
    case 'utf16le':
      return iconv.decode(bytes, 'utf16le').replace(/^\uFEFF/, '');
    case 'utf16be':
      return iconv.decode(bytes, 'utf16be').replace(/^\uFEFF/, '');
    case 'gb18030':
      return iconv.decode(bytes, 'gb18030');
  }
}

/** Text with many NULs on one parity is UTF-16 without a BOM. */
function guessUnmarkedUtf16(bytes: Buffer): TextEncoding | null {
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

export function isValidUtf8(bytes: Buffer): boolean {
  let i = 0;
  const n = bytes.length;
  while (i < n) {
    const b = bytes[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    let extra: number;
    if (b >= 0xc2 && b <= 0xdf) extra = 1;
    else if (b >= 0xe0 && b <= 0xef) extra = 2;
    else if (b >= 0xf0 && b <= 0xf4) extra = 3;
    else return false;
    for (let k = 1; k <= extra; k++) {
      const c = bytes[i + k];
      if (c === undefined) return true; // a log cut off mid-character is still UTF-8
      if ((c & 0xc0) !== 0x80) return false;
    }
    i += extra + 1;
  }
  return true;
}

/** The start of a log (up to about `maxBytes`), decoded: for logs read whole, bounded. */
export async function readLogText(file: LogFileInput, maxBytes: number, encoding?: TextEncoding): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of file.open()) {
    chunks.push(chunk);
    size += chunk.length;
    if (size >= maxBytes) break;
  }
  const bytes = Buffer.concat(chunks);
  return decodeText(bytes, encoding ?? detectEncoding(bytes));
}
