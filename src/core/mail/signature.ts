// A mail's signature: the sender's name, unit and telephone under the text. It says who wrote,
// not what failed, and a unit's name (信息中心, 办公室) would make unrelated cases read alike.

/** RFC 3676's signature separator, and the `--` many clients write instead. */
const SEPARATOR = /^--\s*$/;
/** A line that is a sentence, or carries a code or a figure someone may search for, is the text. */
const TEXT_LINE = /[，。？！；：,.?!;:…~]\s*$|[，。？！；]|0x[0-9a-f]|\b[c8][0-9a-f]{7}\b|\d+\s*%|百分之/i;
const MAX_SIGNATURE_LINES = 6;
const MAX_SIGNATURE_LINE = 40;

/**
 * The text without its signature: everything above a `-- ` line, else without the last lines
 * when they are short and none is a sentence (a name, a unit, a telephone number).
 */
export function withoutSignature(text: string): string {
  const lines = text.split(/\r?\n/);
  const separator = lines.findIndex((line) => SEPARATOR.test(line));
  if (separator > 0) return lines.slice(0, separator).join('\n').trim();
  let end = lines.length;
  while (end > 0 && lines[end - 1]!.trim() === '') end--;
  let start = end;
  while (start > 0 && end - start < MAX_SIGNATURE_LINES) {
    const line = lines[start - 1]!.trim();
    if (line !== '' && (line.length > MAX_SIGNATURE_LINE || TEXT_LINE.test(line))) break;
    start--;
  }
  // A text that is all short lines is kept whole: it has no body above a signature.
  const kept = lines.slice(0, start).some((line) => line.trim() !== '') ? lines.slice(0, start) : lines.slice(0, end);
  return kept.join('\n').trim();
}
