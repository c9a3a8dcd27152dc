import { FewLiteralsMatcher, LiteralMatcher } from './literal-matcher';

const LITERALS = ['BcdCopyObjectEx: Failed', 'afe', 'DISM Package Manager: PID=', 'xception', 'SP     '];

/** Every line holding a literal, the slow obvious way. */
function naiveLines(text: Buffer, literals: string[]): number[] {
  const lines = text.toString('latin1').split('\n');
  return lines.flatMap((l, n) => (literals.some((x) => l.includes(x)) ? [n] : []));
}

/** Lines found by walking the matcher line by line, as the log scanner does. */
function matchedLines(m: LiteralMatcher, text: Buffer): number[] {
  const found: number[] = [];
  let line = 0;
  let counted = 0;
  for (let at = m.next(text, 0); at !== -1;) {
    for (let i = text.indexOf(10, counted); i !== -1 && i < at; i = text.indexOf(10, i + 1)) {
      line++;
      counted = i + 1;
    }
    found.push(line);
    const end = text.indexOf(10, at);
    at = end === -1 ? -1 : m.next(text, end + 1);
  }
  return found;
}

function logText(lines: number, seed: number): Buffer {
  let x = seed;
  const rand = (n: number) => (x = (Math.imul(x, 1103515245) + 12345) >>> 0) % n;
  const noise = [
    'Info                  DISM   API: PID=4242 TID=17 (decoy)',
    'Info CONX Safe Mode check',
    'Info SP     Operation completed',
    'Info MOUPG  Exception',
  ];
  const out: string[] = [];
  for (let i = 0; i < lines; i++) {
    const r = rand(100);
    if (r < 2) out.push(`2022-04-15 14:10:37, Error ${LITERALS[rand(LITERALS.length)]} ${'x'.repeat(rand(9))}`);
    else out.push(`2022-04-15 14:10:37, ${noise[rand(noise.length)]}${' pad'.repeat(rand(5))}`);
  }
  return Buffer.from(out.join('\n') + '\n', 'latin1');
}

test('finds the line of every literal, at every alignment of the buffer', () => {
  const text = logText(5000, 7);
  const matcher = new LiteralMatcher(
    LITERALS.map((l) => Buffer.from(l, 'latin1')),
    text.subarray(0, 4096),
  );
  const expected = naiveLines(text, LITERALS);
  for (let shift = 0; shift < 4; shift++) {
    // The same bytes at another offset of their ArrayBuffer: the word loop must not care.
    const moved = Buffer.alloc(text.length + shift).fill(10, 0, shift);
    text.copy(moved, shift);
    const lines = matchedLines(matcher, moved.subarray(shift));
    expect(lines).toEqual(expected);
  }
});

test('a window the sample misjudged is replaced, and no literal is lost meanwhile', () => {
  // The sample holds no DISM lines; the text is full of "DISM   API: PID=" decoys.
  const sample = Buffer.from('2022-04-15 14:10:37, Info CONX nothing to see\n'.repeat(100), 'latin1');
  const matcher = new LiteralMatcher(
    LITERALS.map((l) => Buffer.from(l, 'latin1')),
    sample,
  );
  for (let seed = 1; seed <= 5; seed++) {
    const text = logText(20000, seed);
    expect(matchedLines(matcher, text)).toEqual(naiveLines(text, LITERALS));
  }
});

test('keysIn names every literal of a line, and skipped ones are not wanted', () => {
  const line = Buffer.from('x BcdCopyObjectEx: Failed with xception in Safe Mode', 'latin1');
  const matcher = new LiteralMatcher(
    LITERALS.map((l) => Buffer.from(l, 'latin1')),
    line,
  );
  expect([...matcher.keysIn(line, 0, line.length)].sort()).toEqual(['BcdCopyObjectEx: Failed', 'afe', 'xception']);
  expect([...matcher.keysIn(line, 0, line.length, new Set(['afe']))].sort()).toEqual(['BcdCopyObjectEx: Failed', 'xception']);
  expect(matcher.next(line, 0, new Set(LITERALS))).toBe(-1);
});

describe('FewLiteralsMatcher (a fact value in UTF-8 and GBK)', () => {
  const utf8 = 'Ensec64';
  const other = Buffer.from('拒绝', 'utf8').toString('latin1');
  const m = new FewLiteralsMatcher([utf8, other]);
  const text = Buffer.from('a line\nthe 拒绝 line\nEnsec64 here\n', 'utf8');

  test('finds the earliest of its literals, from an offset, and skips what it is told to', () => {
    const first = m.next(text, 0);
    expect(text.subarray(first, first + 6).toString('utf8')).toBe('拒绝');
    expect(
      text
        .subarray(m.next(text, first + 1))
        .toString('latin1')
        .startsWith('Ensec64'),
    ).toBe(true);
    expect(m.next(text, 0, new Set([other]))).toBe(text.indexOf('Ensec64'));
    expect(m.next(text, text.length)).toBe(-1);
  });

  test('names the literals wholly inside a range', () => {
    const start = text.indexOf('Ensec64');
    expect(m.keysIn(text, start, start + 7)).toEqual(new Set([utf8]));
    expect(m.keysIn(text, start, start + 6)).toEqual(new Set());
  });
});

test('a three-byte literal is found where no byte follows it: the end of the text, the end of a line range', () => {
  const matcher = new LiteralMatcher(
    LITERALS.map((l) => Buffer.from(l, 'latin1')),
    Buffer.from('nothing here\n', 'latin1'),
  );
  const text = Buffer.from('first line\nends with afe', 'latin1');
  expect(matcher.next(text, 0)).toBe(text.length - 3);
  const line = Buffer.from('xception then afe\nnext', 'latin1');
  expect([...matcher.keysIn(line, 0, line.indexOf(10))].sort()).toEqual(['afe', 'xception']);
});
