import iconv from 'iconv-lite';
import { LogScanner, scanLog, type AnchorSpec } from './log-scanner';

const lines = Array.from({ length: 50 }, (_, i) => `2022-04-15 15:00:${String(i).padStart(2, '0')}, Info  SP  line ${i + 1}`);
lines[19] = '2022-04-15 15:00:19, Error  MIG  Abandoning apply due to error for object: HKLM\\X [拒绝访问]';
lines[39] = '2022-04-15 15:00:39, Error  SP  Operation failed: Update Boot Code. reported failure!';
const specs: AnchorSpec[] = [
  { literal: 'Abandoning apply', before: 2, after: 1 },
  { literal: 'Operation failed:', before: 0, after: 12 },
  { literal: 'reported failure!', before: 0, after: 0 },
  { literal: '拒绝访问', before: 0, after: 0 },
];

function chunks(bytes: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) out.push(bytes.subarray(i, i + size));
  return out;
}

describe.each([
  ['utf8 LF', (t: string) => Buffer.from(t, 'utf8'), '\n'],
  ['gbk CRLF', (t: string) => iconv.encode(t, 'gbk'), '\r\n'],
  ['utf16le BOM', (t: string) => Buffer.concat([Buffer.from([0xff, 0xfe]), iconv.encode(t, 'utf16le')]), '\r\n'],
])('%s', (_name, encode, eol) => {
  const bytes = encode(lines.join(eol) + eol);
  test.each([7, 64, 1000, 1 << 20])('chunks of %i bytes find every anchor on its line, with context', async (size) => {
    const scan = await scanLog(chunks(bytes, size), specs);
    expect(scan.lineCount).toBe(50);
    expect(scan.hits.get('Abandoning apply')).toEqual([20]);
    expect(scan.hits.get('拒绝访问')).toEqual([20]);
    expect(scan.hits.get('Operation failed:')).toEqual([40]);
    expect(scan.hits.get('reported failure!')).toEqual([40]); // two anchors on one line
    expect(scan.line(20)).toBe(lines[19]);
    expect(scan.line(18)).toBe(lines[17]);
    expect(scan.line(21)).toBe(lines[20]);
    expect(scan.line(52)).toBeUndefined();
    expect(scan.line(50)).toBe(lines[49]);
    expect(scan.line(49)).toBe(lines[48]); // after-context of line 40 runs to 52, past the end
    expect(scan.lastLine).toBe(50);
  });
});

test('hostile text: NUL regions, a BOM mid-file, mixed breaks, a megabyte line, no final break', async () => {
  const text =
    [
      '\uFEFF2022-04-15 15:00:01, Info  SP  start',
      '\u0000'.repeat(5000),
      'x'.repeat(3 * 1024 * 1024),
      '\uFEFF2022-04-15 15:00:02, Error  SP  Operation failed: X. Error: 0x80004005',
    ].join('\r\n') + '\nno timestamp\r\nlast line';
  const scan = await scanLog(chunks(Buffer.from(text, 'utf8'), 65536), specs);
  expect(scan.lineCount).toBe(6);
  expect(scan.hits.get('Operation failed:')).toEqual([4]);
  expect(scan.line(4)).toBe('2022-04-15 15:00:02, Error  SP  Operation failed: X. Error: 0x80004005');
  expect(scan.line(6)).toBe('last line');
});

test('an anchor repeated without end is capped, and the scan goes on', async () => {
  const scanner = new LogScanner(() => [
    { literal: 'Operation failed:', before: 0, after: 0 },
    { literal: 'the end', before: 0, after: 0 },
  ]);
  const repeated = Buffer.from('Error Operation failed: x\n'.repeat(20000));
  scanner.push(repeated);
  scanner.push(Buffer.from('the end\n'));
  const scan = scanner.end();
  expect(scan.hits.get('Operation failed:')!.length).toBe(5000);
  expect(scan.hits.get('the end')).toEqual([20001]);
});
