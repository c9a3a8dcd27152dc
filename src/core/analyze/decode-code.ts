// Turns the numeric codes a rule captured (Win32 errors, HRESULTs, NTSTATUS) into names and
// Chinese meanings from the code tables, as extra facts `<fact>Name` and `<fact>Meaning`; and the
// `[gle=0x…]` setup appends to its error lines (GetLastError: a Win32 error) into a note.

import type { CodeInfo, CodeTable } from './knowledge';

export function parseCode(text: string): number | null {
  const t = text.trim();
  const n = /^0x[0-9a-f]+$/i.test(t)
    ? parseInt(t, 16)
    : /^[0-9a-f]{8}$/i.test(t)
      ? parseInt(t, 16)
      : /^\d+$/.test(t)
        ? parseInt(t, 10)
        : NaN;
  return Number.isFinite(n) ? n >>> 0 : null;
}

export function lookupCode(tables: Record<CodeTable, Map<number, CodeInfo>>, table: CodeTable, code: number): CodeInfo | null {
  const direct = tables[table].get(code);
  if (direct) return direct;
  // HRESULT_FROM_WIN32: 0x8007xxxx carries a Win32 error in its low 16 bits.
  if (table === 'hresult' && (code & 0xffff0000) >>> 0 === 0x80070000) return tables.win32.get(code & 0xffff) ?? null;
  // A bare Win32 error written as hex (0x000007E7) where an HRESULT was expected.
  if (table === 'hresult' && code < 0x10000) return tables.win32.get(code) ?? null;
  return null;
}

export function decodeFacts(
  facts: Record<string, string>,
  decode: Record<string, CodeTable>,
  tables: Record<CodeTable, Map<number, CodeInfo>>,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [fact, table] of Object.entries(decode)) {
    const raw = facts[fact];
    const code = raw === undefined ? null : parseCode(raw);
    const info = code === null ? null : lookupCode(tables, table, code);
    if (info) {
      out[`${fact}Name`] = info.name;
      out[`${fact}Meaning`] = info.meaning;
    }
  }
  return out;
}

/** Whether a line states this code (as an 8-digit hex value, in any case), its gle aside. */
export function carriesCode(line: string, code: string | null): boolean {
  const want = code === null ? null : parseCode(code);
  return want !== null && (line.replace(GLE, '').match(/0x[0-9A-Fa-f]{8}(?![0-9A-Fa-f])/g) ?? []).some((c) => parseCode(c) === want);
}

/** setup's `[gle=0x00000005]` suffix: the thread's last Win32 error when the line was written. */
const GLE = /\[gle=(0x[0-9a-f]{1,8})\]/i;

/** The line's gle value, if it has one. */
export function gleOf(line: string): string | null {
  return GLE.exec(line)?.[1] ?? null;
}

/** `gle=0x00000005 ERROR_ACCESS_DENIED：拒绝访问`, for a line that carries a known gle; else null. */
export function explainGle(line: string, tables: Record<CodeTable, Map<number, CodeInfo>>): string | null {
  const gle = gleOf(line);
  const code = gle === null ? null : parseCode(gle);
  // gle=0 is "no error": setup appends it to lines whose failure is told by another code.
  if (code === null || code === 0) return null;
  const info = lookupCode(tables, 'win32', code);
  return info ? `gle=${gle} ${info.name}：${info.meaning}` : null;
}
