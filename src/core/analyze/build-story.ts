// The story of the setup run(s) in a bundle: what kind of run each log records, each upgrade
// attempt with its builds, times, failing phase and operation and codes, and the verdict.
// Markers come from knowledge/outcomes.yaml; the lines come from the scanner.

import type { Attempt, Finding, Verdict } from '../types';
import type { ExtendCodes, Knowledge, Scenario } from './knowledge';
import type { AnchorSpec } from './log-scanner';
import type { DecodedLog } from './match-rule';

export interface Story {
  verdict: Verdict;
  scenario: Scenario | null;
  attempts: Attempt[];
}

/** Facts of an attempt: the literal the scanner looks for and the regex that reads the line. */
const ATTEMPT_FACTS: { fact: keyof Attempt; anchor: string; pattern: RegExp }[] = [
  { fact: 'hostBuild', anchor: 'Host OS Build String', pattern: /Host OS Build String\s*\[\s*([^\]\s]+)\s*\]/ },
  { fact: 'hostBuild', anchor: 'Host OS version:', pattern: /Host OS version:\s*(\S+)/ },
  { fact: 'targetBuild', anchor: 'Target OS Build String', pattern: /Target OS Build String\s*\[\s*([^\]\s]+)\s*\]/ },
  { fact: 'targetBuild', anchor: 'Target OS version:', pattern: /Target OS version:\s*(\S+)/ },
  { fact: 'phase', anchor: 'Failed execution phase', pattern: /Failed execution phase ([^.]+)\./ },
  { fact: 'phase', anchor: 'reported failure', pattern: /MoSetupPlatform: (\w+) reported failure/ },
  { fact: 'operation', anchor: 'Operation failed:', pattern: /Operation failed: ([^.]+)\./ },
  { fact: 'resultCode', anchor: 'Reporting error event', pattern: /Reporting error event -> \[(0x[0-9A-Fa-f]+), 0x[0-9A-Fa-f]+\]/ },
  { fact: 'extendCode', anchor: 'Reporting error event', pattern: /Reporting error event -> \[0x[0-9A-Fa-f]+, (0x[0-9A-Fa-f]+)\]/ },
];

const TIMESTAMP = /^(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}),/;

/** Every literal the story needs the scanner to find. */
export function storyAnchors(knowledge: Knowledge): AnchorSpec[] {
  const o = knowledge.outcomes;
  // Whether these occur is all the story asks of them: the first line is enough.
  const presence = [...o.scenarios.flatMap((s) => [...s.markers, ...s.unless]), ...o.cancelled, ...o.failed, ...o.succeeded];
  const located = [...o.ended, ...o.rollback, ...ATTEMPT_FACTS.map((f) => f.anchor)];
  return [
    ...presence.map((literal) => ({ literal, before: 0, after: 0, maxHits: 1 })),
    ...located.map((literal) => ({ literal, before: 0, after: 0 })),
    // The line before a new run is the end of the previous one.
    ...o.started.map((literal) => ({ literal, before: 1, after: 0 })),
  ];
}

export function buildStory(logs: DecodedLog[], findings: Finding[], knowledge: Knowledge): Story {
  const panther = logs.filter((l) => l.kind === 'panther');
  const o = knowledge.outcomes;
  const anyHas = (markers: string[]) => panther.some((l) => markers.some((m) => (l.scan.hits.get(m)?.length ?? 0) > 0));
  const scenario = o.scenarios.find((s) => anyHas(s.markers) && !anyHas(s.unless)) ?? null;
  const attempts = buildAttempts(logs, knowledge);

  let verdict: Verdict;
  if (logs.length === 0) verdict = 'not-setup-log';
  else if (scenario) verdict = 'not-upgrade';
  else if (anyHas(o.cancelled)) verdict = 'cancelled';
  // An `outcome` finding (e.g. a compat scan only) reports how the run ended, not a failure.
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
    .filter((l) => l.kind === 'panther' && /MOUPG|SetupHost| SP {5}/.test(l.scan.head))
    .sort((a, b) => b.scan.lineCount - a.scan.lineCount);
  const diag = logs.find((l) => l.kind === 'setupdiag');
  const fromDiag = diag?.text ? setupdiagFacts(diag.text) : {};
  const main = setupLogs[0];
  if (!main) {
    if (!diag) return [];
    return [{ ...emptyAttempt(), ...fromDiag, ...decodeExtend(fromDiag.extendCode ?? null, knowledge.extend), stopped: false }];
  }
  const scan = main.scan;
  const starts = [...new Set(o.started.flatMap((m) => scan.hits.get(m) ?? []))].sort((a, b) => a - b);
  const bounds = starts.length > 0 ? starts : [1];
  return bounds.map((start, i) => {
    const next = bounds[i + 1];
    const end = next === undefined ? scan.lastLine : next - 1;
    const inSegment = (line: number) => line >= start && line <= end;
    const facts: Partial<Attempt> = {};
    for (const f of ATTEMPT_FACTS) {
      if (facts[f.fact] !== undefined) continue;
      for (const line of scan.hits.get(f.anchor) ?? []) {
        if (!inSegment(line)) continue;
        const value = f.pattern.exec(scan.line(line) ?? '')?.[1];
        if (value) {
          (facts as Record<string, string>)[f.fact] = value.trim();
          break;
        }
      }
    }
    const merged: Attempt = { ...emptyAttempt(), ...fromDiag, ...facts };
    const ended = o.ended.some((m) => (scan.hits.get(m) ?? []).some(inSegment));
    return {
      ...merged,
      start: TIMESTAMP.exec(scan.line(start) ?? '')?.[1] ?? merged.start,
      end: TIMESTAMP.exec(scan.line(end) ?? '')?.[1] ?? merged.end,
      rollbacks: o.rollback.reduce((n, m) => n + (scan.hits.get(m) ?? []).filter(inSegment).length, 0),
      ...decodeExtend(merged.extendCode, knowledge.extend),
      stopped: starts.length > 0 && !ended && next === undefined,
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

/** Host/target builds, phase, operation and codes from SetupDiag's text (or converted XML/JSON). */
function setupdiagFacts(text: string): Partial<Attempt> {
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
  return {
    extendPhase: phase ? phase.name.replace(/^SP_EXECUTION_/, '') : null,
    extendOperation: operation ? operation.name.replace(/^SP_EXECUTION_OP_/, '') : null,
  };
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== null && v !== '')) as Partial<T>;
}
