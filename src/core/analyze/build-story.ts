// The story of the setup run(s) in a bundle: what kind of run each log records, each upgrade
// attempt with its builds, times, failing phase and operation and codes, and the verdict.
// Markers come from knowledge/outcomes.yaml; this module only reads them.

import type { Attempt, Finding, Verdict } from '../types';
import type { ExtendCodes, Knowledge, Scenario } from './knowledge';
import type { LineIndex } from './line-index';
import type { DecodedLog } from './match-rule';

export interface Story {
  verdict: Verdict;
  scenario: Scenario | null;
  attempts: Attempt[];
}

const TIMESTAMP = /^(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}),/;

export function buildStory(logs: DecodedLog[], findings: Finding[], knowledge: Knowledge): Story {
  const panther = logs.filter((l) => l.kind === 'panther');
  const o = knowledge.outcomes;
  const anyHas = (markers: string[]) => panther.some((l) => markers.some((m) => l.index.text.includes(m)));
  const scenario = o.scenarios.find((s) => anyHas(s.markers) && !anyHas(s.unless)) ?? null;
  const attempts = buildAttempts(logs, knowledge);

  let verdict: Verdict;
  if (logs.length === 0) verdict = 'not-setup-log';
  else if (scenario) verdict = 'not-upgrade';
  else if (anyHas(o.cancelled)) verdict = 'cancelled';
  else if (findings.some((f) => f.category !== 'outcome') || anyHas(o.failed)) verdict = 'failed';
  else if (anyHas(o.succeeded)) verdict = 'succeeded';
  else if (attempts.some((a) => a.stopped)) verdict = 'incomplete';
  else verdict = 'unknown';
  return { verdict, scenario, attempts: attempts.map(({ stopped: _stopped, ...a }) => a) };
}

/** One attempt per SetupHost run in the fullest setup log; SetupDiag's result fills gaps. */
function buildAttempts(logs: DecodedLog[], knowledge: Knowledge): (Attempt & { stopped: boolean })[] {
  const o = knowledge.outcomes;
  const setupLogs = logs
    .filter((l) => l.kind === 'panther' && /MOUPG|SetupHost| SP {5}/.test(l.index.text.slice(0, 1 << 20)))
    .sort((a, b) => b.index.lineCount - a.index.lineCount);
  const diag = logs.find((l) => l.kind === 'setupdiag');
  const fromDiag = diag ? setupdiagFacts(diag.index) : {};
  const main = setupLogs[0];
  if (!main) {
    if (!diag) return [];
    return [{ ...emptyAttempt(), ...fromDiag, ...decodeExtend(fromDiag.extendCode ?? null, knowledge.extend), stopped: false }];
  }
  const text = main.index.text;
  const starts = [...new Set(o.started.flatMap((m) => allOffsets(text, m)).map((at) => lineStartBefore(text, at)))].sort((a, b) => a - b);
  const bounds = starts.length > 0 ? starts : [0];
  return bounds.map((start, i) => {
    const end = bounds[i + 1] ?? text.length;
    const segment = text.slice(start, end);
    const facts = segmentFacts(segment);
    const merged = { ...emptyAttempt(), ...fromDiag, ...definedOnly(facts) };
    const lastStart = lineStartBefore(segment, segment.length - 1);
    const stopped = starts.length > 0 && !o.ended.some((m) => segment.includes(m)) && i === bounds.length - 1;
    return {
      ...merged,
      start: TIMESTAMP.exec(segment.replace(/^\uFEFF/, ''))?.[1] ?? merged.start,
      end: TIMESTAMP.exec(segment.slice(lastStart))?.[1] ?? merged.end,
      rollbacks: o.rollback.reduce((n, m) => n + allOffsets(segment, m).length, 0),
      ...decodeExtend(merged.extendCode, knowledge.extend),
      stopped,
    };
  });
}

function emptyAttempt(): Attempt {
  return {
    hostBuild: null,
    targetBuild: null,
    start: null,
    end: null,
    phase: null,
    operation: null,
    resultCode: null,
    extendCode: null,
    extendPhase: null,
    extendOperation: null,
    rollbacks: 0,
  };
}

function segmentFacts(segment: string): Partial<Attempt> {
  const first = (re: RegExp) => re.exec(segment)?.[1]?.trim() ?? undefined;
  const pair = /Reporting error event -> \[(0x[0-9A-Fa-f]+), (0x[0-9A-Fa-f]+)\]/.exec(segment);
  return {
    hostBuild: first(/Host OS Build String\s*\[\s*([^\]\s]+)\s*\]/) ?? first(/Host OS version:\s*(\S+)/),
    targetBuild: first(/Target OS Build String\s*\[\s*([^\]\s]+)\s*\]/) ?? first(/Target OS version:\s*(\S+)/),
    phase: first(/Failed execution phase ([^.]+)\./) ?? first(/MoSetupPlatform: (\w+) reported failure/),
    operation: first(/Operation failed: ([^.]+)\./),
    resultCode: pair?.[1],
    extendCode: pair?.[2],
  };
}

/** Host/target builds, phase, operation and codes from SetupDiag's text (or converted XML/JSON). */
function setupdiagFacts(index: LineIndex): Partial<Attempt> {
  const text = index.text;
  const first = (re: RegExp) => re.exec(text)?.[1]?.trim() ?? undefined;
  const codes = /Error\s*[:=]\s*(0x[0-9A-Fa-f]{8})\s*-\s*(0x[0-9A-Fa-f]+)/.exec(text);
  return definedOnly({
    hostBuild: first(/HostOSBuildString\s*[=:]\s*(\S+)/),
    targetBuild: first(/TargetOSBuildString\s*[=:]\s*(\S+)/),
    phase: first(/Last (?:Setup )?Phase\s*[:=]\s*(.+)/),
    operation: first(/Last (?:Setup )?Operation\s*[:=]\s*(.+)/),
    resultCode: codes?.[1],
    extendCode: codes?.[2],
    start: first(/UpgradeStartTime\s*[=:]\s*(.+)/),
    end: first(/UpgradeEndTime\s*[=:]\s*(.+)/),
  });
}

/** `0x30018` → FIRST_BOOT (3) during SYSPREP (0x18). */
export function decodeExtend(extend: string | null, tables: ExtendCodes): Pick<Attempt, 'extendPhase' | 'extendOperation'> {
  if (!extend || !/^0x[0-9a-f]+$/i.test(extend)) return { extendPhase: null, extendOperation: null };
  const n = parseInt(extend, 16);
  // Extend codes are five hex digits; a larger value (e.g. a second HRESULT) is not one.
  if (n > 0xfffff) return { extendPhase: null, extendOperation: null };
  const phase = tables.phases.get((n >> 16) & 0xf);
  const operation = tables.operations.get(n & 0xff);
  return { extendPhase: phase ? phase.name.replace(/^SP_EXECUTION_/, '') : null, extendOperation: operation ? operation.name.replace(/^SP_EXECUTION_OP_/, '') : null };
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== null && v !== '')) as Partial<T>;
}

function allOffsets(text: string, needle: string): number[] {
  const out: number[] = [];
  for (let at = text.indexOf(needle); at !== -1 && out.length < 10000; at = text.indexOf(needle, at + needle.length)) out.push(at);
  return out;
}

/** Start of the line holding `at` (trailing line breaks skipped, so the last line of a text is found). */
function lineStartBefore(text: string, at: number): number {
  let i = at;
  while (i > 0 && (text[i] === '\n' || text[i] === '\r')) i--;
  return text.lastIndexOf('\n', i) + 1;
}

