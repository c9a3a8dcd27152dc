// A setupact.log that looks like a real one to a compressor and to casebot's scanner: the line
// shapes and their mix come from real Windows setup logs (bench/setupact-line-shapes.txt), the
// values vary as they do on a real machine, and the text is GBK with CRLF as a zh-CN host writes
// it. The fixture generator's text compresses about 25:1 with deflate, real logs 9-21:1, and
// casebot is about twice as slow per byte on real text, so the bench must not use the fixture's.

import fs from 'node:fs';
import path from 'node:path';
import * as iconv from 'iconv-lite';
import { projectRoot } from '../src/config/paths';
import { FAILURE_ANCHORS } from '../test/helpers/bundle-factory';

interface Shape {
  weight: number;
  level: string; // the 21-character level column, message id included
  comp: string;
  message: string;
}

interface Shapes {
  shapes: Shape[];
  pools: Map<string, string[]>;
}

function loadShapes(): Shapes {
  const shapes: Shape[] = [];
  const pools = new Map<string, string[]>();
  const file = path.join(projectRoot(), 'bench', 'setupact-line-shapes.txt');
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    if (line.trim() === '' || line.startsWith('#')) continue;
    const [a = '', b = '', c = '', d = ''] = line.split('\t');
    if (a.startsWith('@')) {
      pools.set(a.slice(1), b.split('|'));
      continue;
    }
    // "Info [0x08024c]" is written as "Info       [0x08024c]", padded like a plain level.
    const [level = '', id] = b.split(' ');
    shapes.push({ weight: Number(a), level: (id ? `${level.padEnd(10)} ${id}` : level).padEnd(21), comp: c, message: d });
  }
  // The bench injects exactly one failure; noise that looks like one would change the answer.
  for (const text of [...shapes.map((s) => s.message), ...[...pools.values()].flat()]) {
    const hit = FAILURE_ANCHORS.find((a) => text.includes(a));
    if (hit) throw new Error(`line shape contains the failure anchor "${hit}": ${text}`);
  }
  return { shapes, pools };
}

/** mulberry32, seeded, so a bundle is the same bytes every time it is rebuilt. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), s | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A fixed hash for a name: a DriverStore or WinSxS folder keeps its suffix all through a log. */
function stableHex(name: string, len: number): string {
  let h = 0x811c9dc5;
  let out = '';
  while (out.length < len) {
    for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
    out += (h >>> 0).toString(16).padStart(8, '0');
  }
  return out.slice(0, len);
}

/** Share of bursts that repeat an earlier passage; 0.5 makes deflate -6 give about 14:1, as a real upgrade's log does. */
const REPLAY = 0.5;

export interface RealisticOptions {
  seed: number;
  /** Wall-clock time of the first line, in seconds since 1970 (written as UTC, so TZ never matters). */
  start: number;
}

/**
 * Endless GBK setupact.log text in chunks of about 1 MB; the caller stops when it has enough.
 * Lines come in short runs of one shape, as real logs list a folder or a queue in a burst, or
 * repeat a recent passage.
 */
export function* realisticSetupact(options: RealisticOptions): Generator<Buffer> {
  const { shapes, pools } = loadShapes();
  const random = rng(options.seed);
  const int = (n: number) => Math.floor(random() * n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)]!;
  const hex = (len: number) => {
    let s = '';
    for (let i = 0; i < len; i++) s += '0123456789abcdef'.charAt(int(16));
    return s;
  };
  const guid = () => `${hex(8)}-${hex(4)}-4${hex(3)}-${pick(['8', '9', 'a', 'b'])}${hex(3)}-${hex(12)}`;
  const cumulative: number[] = [];
  let total = 0;
  for (const s of shapes) cumulative.push((total += s.weight));
  const pickShape = (): Shape => {
    const x = random() * total;
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid]! > x) hi = mid;
      else lo = mid + 1;
    }
    return shapes[lo]!;
  };

  const machineSid = `S-1-5-21-${1e9 + int(3e9)}-${1e9 + int(3e9)}-${1e8 + int(9e8)}`;
  const sids = ['S-1-5-18', 'S-1-5-19', 'S-1-5-20', `${machineSid}-500`, `${machineSid}-1001`, `${machineSid}-1002`];
  const clsids = Array.from({ length: 300 }, () => `{${guid().toUpperCase()}}`);
  let clock = options.start;
  let seq = int(0x4000);
  // Process and thread ids stay put for a while, as a DISM session or a MigHost does.
  let pids = [1000 + int(9000), 1000 + int(9000)];
  let stamp = new Date(clock * 1000).toISOString(); // YYYY-MM-DDTHH:MM:SS.sssZ, redone as the clock moves
  const date = () => stamp.slice(0, 10);
  const time = () => stamp.slice(11, 19);
  const generated: Record<string, () => string> = {
    pid: () => String(pids[0]),
    tid: () => String(pick(pids) + 4 * int(3)),
    guid,
    // A machine has a few hundred CLSIDs and a handful of user SIDs; they recur all through a log.
    GUIDB: () => (random() < 0.1 ? `{${guid().toUpperCase()}}` : pick(clsids)),
    pct: () => String(int(101)),
    size: () => String(Math.floor(random() ** 3 * 2e8)),
    big: () => String(50e9 + int(150e9)),
    seq: () => (++seq).toString(16).padStart(8, '0'),
    csitime: () =>
      `${stamp.slice(0, 4)}/${Number(stamp.slice(5, 7))}/${Number(stamp.slice(8, 10))}:${time()}.${String(int(1000)).padStart(3, '0')}`,
    date,
    clock: time,
    kb: () => String(pick([4589208, 5005112, 5011503, 5012170, 5015684, 5003791, 4562830, 5011651, 5012599])),
    build: () => pick(['1', '1566', '1645', '1682', '1706', String(1000 + int(1000))]),
    sid: () => pick(sids),
    infdir: () => {
      const inf = fill(pick(pools.get('inf')!));
      return `${inf}_amd64_${stableHex(inf, 16)}`;
    },
    sxsdir: () => {
      const comp = pick(pools.get('sxscomp')!);
      return `amd64_microsoft-windows-${comp}_31bf3856ad364e35_10.0.19041.${1000 + (parseInt(stableHex(comp, 3), 16) % 1000)}_none_${stableHex(`${comp}.`, 16)}`;
    },
  };
  function value(name: string): string {
    const make = generated[name];
    if (make) return make();
    const pool = pools.get(name);
    if (pool) return fill(pick(pool));
    const digits = /^(n|hex|HEX)(\d+)$/.exec(name);
    if (!digits) throw new Error(`unknown placeholder {${name}} in bench/setupact-line-shapes.txt`);
    const len = Number(digits[2]);
    if (digits[1] === 'n') return String(int(10 ** (1 + int(len))));
    return digits[1] === 'hex' ? hex(len) : hex(len).toUpperCase();
  }
  function fill(template: string): string {
    return template.includes('{') ? template.replace(/\{(\w+)\}/g, (_, name: string) => value(name)) : template;
  }

  // What follows the timestamp of recent lines: setup repeats itself (a pass per user, a DISM
  // call per driver, the operations table after each operation), so passages recur.
  let recent: string[] = [];
  const bodies = (): string[] => {
    if (recent.length > 400 && random() < REPLAY) {
      const n = 5 + int(40);
      const from = recent.length - n - int(Math.min(recent.length - n, 2000));
      return recent.slice(from, from + n);
    }
    const shape = pickShape();
    // Runs of one to about eight lines of a shape.
    const run = 1 + Math.floor(-Math.log(1 - random()) * 2);
    return Array.from({ length: run }, () => `${shape.level} ${shape.comp.padEnd(6)} ${fill(shape.message)}`);
  };
  for (;;) {
    const lines: string[] = [];
    let length = 0;
    while (length < 1 << 20) {
      for (const body of bodies()) {
        // Most lines share their second with the previous one; now and then setup waits.
        if (random() < 0.01) {
          clock += random() < 0.02 ? 5 + int(120) : 1;
          stamp = new Date(clock * 1000).toISOString();
        }
        const line = `${date()} ${time()}, ${body}`;
        lines.push(line);
        recent.push(body);
        length += line.length + 2;
      }
      if (random() < 0.0005) pids = [1000 + int(9000), 1000 + int(9000)];
    }
    recent = recent.slice(-4000);
    yield iconv.encode(lines.join('\r\n') + '\r\n', 'gbk');
  }
}
