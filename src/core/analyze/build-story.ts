// The story of the setup run(s) in a bundle: what kind of run each log records, each upgrade
// attempt with its builds, times, failing phase and operation and codes, and the verdict.
// Markers come from knowledge/outcomes.yaml; the lines come from the scanner.

import type { Attempt, Evidence, Finding, Outcome, Verdict } from '../types';
import { carriesCode, lookupCode, parseCode } from './decode-code';
import type { CodeInfo, ExtendCodes, Knowledge, Scenario } from './knowledge';
import { TAIL_LINES, type AnchorSpec } from './log-scanner';
import type { DecodedLog } from './match-rule';

export interface Story {
  verdict: Verdict;
  scenario: Scenario | null;
  attempts: Attempt[];
  outcome: Outcome | null;
}

type AttemptFact = 'hostBuild' | 'targetBuild' | 'phase' | 'operation' | 'resultCode' | 'extendCode';

/**
 * Facts of an attempt: the literal the scanner looks for and the regex that reads the line. For
 * each fact the first source listed that the log holds wins: setup's exit record (ImageExit),
 * its reported error event, then the last non-zero `Execute(…): Result =` (setup echoes a failure
 * up its call stack, so the last echo is the run's result), the setup platform's action error
 * code, and the failed phase's or operation's error.
 */
const ATTEMPT_FACTS: { fact: AttemptFact; anchor: string; pattern: RegExp; last?: boolean }[] = [
  { fact: 'hostBuild', anchor: 'Host OS Build String', pattern: /Host OS Build String\s*\[\s*([^\]\s]+)\s*\]/ },
  { fact: 'hostBuild', anchor: 'Host OS version:', pattern: /Host OS version:\s*(\S+)/ },
  { fact: 'targetBuild', anchor: 'Target OS Build String', pattern: /Target OS Build String\s*\[\s*([^\]\s]+)\s*\]/ },
  { fact: 'targetBuild', anchor: 'Target OS version:', pattern: /Target OS version:\s*(\S+)/ },
  { fact: 'phase', anchor: 'Failed execution phase', pattern: /Failed execution phase ([^.]+)\./ },
  { fact: 'phase', anchor: 'reported failure', pattern: /MoSetupPlatform: (\w+) reported failure/ },
  { fact: 'operation', anchor: 'Operation failed:', pattern: /Operation failed: ([^.]+)\./ },
  {
    fact: 'resultCode',
    anchor: 'Initializing SetupResult:',
    pattern: /ImageExit: Initializing SetupResult:\s*\[(0x(?!0+\])[0-9A-Fa-f]+)\]/,
  },
  { fact: 'extendCode', anchor: 'Initializing Extended:', pattern: /ImageExit: Initializing Extended:\s*\[(0x(?!0+\])[0-9A-Fa-f]+)\]/ },
  { fact: 'resultCode', anchor: 'Reporting error event', pattern: /Reporting error event -> \[(0x[0-9A-Fa-f]+), 0x[0-9A-Fa-f]+\]/ },
  { fact: 'extendCode', anchor: 'Reporting error event', pattern: /Reporting error event -> \[0x[0-9A-Fa-f]+, (0x[0-9A-Fa-f]+)\]/ },
  {
    fact: 'resultCode',
    anchor: 'Manager::Execute(',
    pattern: /CSetupManager::Execute\(\d*\): Result = (0x(?!0{8})[0-9A-Fa-f]{8})/,
    last: true,
  },
  { fact: 'resultCode', anchor: 'Host::Execute(', pattern: /CSetupHost::Execute\(\d*\): Result = (0x(?!0{8})[0-9A-Fa-f]{8})/, last: true },
  { fact: 'resultCode', anchor: 'Task::Execute(', pattern: /CDlpTask::Execute\(\d*\): Result = (0x(?!0{8})[0-9A-Fa-f]{8})/, last: true },
  { fact: 'resultCode', anchor: 'Using action error code', pattern: /Using action error code: \[(0x(?!0{8})[0-9A-Fa-f]{8})\]/, last: true },
  { fact: 'resultCode', anchor: 'Failed execution phase', pattern: /Failed execution phase [^.]+\. Error: (0x(?!0{8})[0-9A-Fa-f]{8})/ },
  { fact: 'resultCode', anchor: 'Operation failed:', pattern: /Operation failed: .*?\. Error: (0x(?!0{8})[0-9A-Fa-f]{8})/ },
];

/** The level columns of error lines: their first lines are what is worth reading when no rule explains a failure. */
export const ERROR_ANCHORS = [', Error', ', Fatal Error'];

const TIMESTAMP = /^(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}),/;
const PROGRESS = /Setup phase change: \[\w*\] -> \[(\w+)\]/;
/** Decisive errors logged this long after the first one belong to the same failure. */
const DECISIVE_SECONDS = 60;
const MAX_DECISIVE_LINES = 3;
/** How far back an unbroken run of errors before the decisive line is followed to where it began. */
const MAX_CHAIN_LINES = 12;
const ERROR_LINE = /^\S+ \S+, (?:Fatal )?Error/;
/** Logs written while rolling back (Sources\Rollback): their errors are consequences. */
export const ROLLBACK_LOG = /(?:^|\/)rollback\//i;

/** Every literal the story needs the scanner to find. */
export function storyAnchors(knowledge: Knowledge): AnchorSpec[] {
  const o = knowledge.outcomes;
  // Whether these occur is all the story asks of them: the first line is enough.
  const presence = [
    ...o.scenarios.flatMap((s) => [...s.markers, ...s.unless]),
    ...o.cancelled,
    ...o.cancelledBy,
    ...o.failed,
    ...o.succeeded,
  ];
  const located = [...o.ended, ...o.rollback, ...o.decisive, ...o.progress, ...ATTEMPT_FACTS.map((f) => f.anchor)];
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
  const final = [...attempts].reverse().find((a) => a.resultCode !== null) ?? attempts[attempts.length - 1] ?? null;
  const failedResult = final?.resultCode != null && !o.benignResults.some((c) => parseCode(c) === parseCode(final.resultCode!));

  let verdict: Verdict;
  if (logs.length === 0) verdict = 'not-setup-log';
  else if (scenario) verdict = 'not-upgrade';
  // A cancel echoed on the way out of a failure (a block dialog closed) is not the run's end: its result is.
  else if (anyHas(o.cancelled) && !failedResult) verdict = 'cancelled';
  // An `outcome` finding (e.g. a compat scan only) reports how the run ended, not a failure.
  else if (findings.some((f) => f.category !== 'outcome') || anyHas(o.failed) || failedResult) verdict = 'failed';
  else if (anyHas(o.succeeded)) verdict = 'succeeded';
  else if (attempts.some((a) => a.stopped)) verdict = 'incomplete';
  else verdict = 'unknown';

  const lastLine = verdict === 'incomplete' ? lastWords(setupLogsOf(logs)[0]) : [];
  const outcome =
    final === null || scenario
      ? null
      : {
          resultCode: final.resultCode,
          resultMeaning: meaningOf(final.resultCode, knowledge),
          extendCode: final.extendCode,
          extendPhase: final.extendPhase,
          extendOperation: final.extendOperation,
          extendMeaning: extendMeaning(final.extendCode, knowledge.extend),
          phase: final.phase,
          operation: final.operation,
          collectNext: o.collectNext[final.extendPhase ?? ''] ?? o.collectNext.default ?? [],
          evidence: verdict === 'incomplete' ? lastLine : final.sources,
          decisive:
            verdict === 'failed'
              ? [...decisiveErrors(panther, knowledge, final.resultCode, resultTime(final.sources)), ...setupdiagLogLines(logs)].slice(
                  0,
                  MAX_DECISIVE_LINES,
                )
              : verdict === 'cancelled'
                ? firstLine(panther, o.cancelledBy)
                : [],
          lastStep: verdict === 'incomplete' ? final.lastStep : null,
          lastAt: verdict === 'incomplete' ? (TIMESTAMP.exec(lastLine[0]?.text ?? '')?.[1] ?? final.end) : null,
        };
  return { verdict, scenario, attempts: attempts.map(({ stopped: _s, sources: _e, lastStep: _l, ...a }) => a), outcome };
}

interface AttemptStory extends Attempt {
  /** Began and never reached an end. */
  stopped: boolean;
  /** The lines that gave the result and extend codes. */
  sources: Evidence[];
  lastStep: string | null;
}

/** Setup's own logs (not sysprep's or another tool's), the fullest first. */
function setupLogsOf(logs: DecodedLog[]): DecodedLog[] {
  return logs
    .filter((l) => l.kind === 'panther' && /MOUPG|SetupHost| SP {5}/.test(l.scan.head))
    .sort((a, b) => b.scan.lineCount - a.scan.lineCount);
}

/** The last line of a log that carries a time: what a run that never finished was doing last. */
function lastWords(log: DecodedLog | undefined): Evidence[] {
  if (!log) return [];
  for (let n = log.scan.lastLine; n > log.scan.lastLine - TAIL_LINES && n > 0; n--) {
    const text = log.scan.line(n);
    if (text !== undefined && TIMESTAMP.test(text)) return [{ file: log.path, line: n, text }];
  }
  return [];
}

/** The first line holding any of these markers, in the first log that has one. */
function firstLine(logs: DecodedLog[], markers: string[]): Evidence[] {
  for (const log of logs) {
    const line = Math.min(...markers.flatMap((m) => log.scan.hits.get(m) ?? []));
    if (Number.isFinite(line)) return [{ file: log.path, line, text: log.scan.line(line) ?? '' }];
  }
  return [];
}

/** One attempt per SetupHost run in the fullest setup log; the other logs and SetupDiag's result fill gaps. */
function buildAttempts(logs: DecodedLog[], knowledge: Knowledge): AttemptStory[] {
  const o = knowledge.outcomes;
  const setupLogs = setupLogsOf(logs);
  const diag = logs.find((l) => l.kind === 'setupdiag');
  const fromDiag = diag?.text ? setupdiagFacts(diag.text) : {};
  const diagSources: Evidence[] = diag?.text && fromDiag.resultCode ? setupdiagResultLine(diag) : [];
  const main = setupLogs[0];
  if (!main) {
    if (!diag) return [];
    return [
      {
        ...emptyAttempt(),
        ...fromDiag,
        ...decodeExtend(fromDiag.extendCode ?? null, knowledge.extend),
        stopped: false,
        sources: diagSources,
        lastStep: null,
      },
    ];
  }
  const scan = main.scan;
  const starts = [...new Set(o.started.flatMap((m) => scan.hits.get(m) ?? []))].sort((a, b) => a - b);
  const bounds = starts.length > 0 ? starts : [1];
  // A log that shows setup moving through its phases began a run even when its start was cut off.
  const runBegan = starts.length > 0 || o.progress.some((m) => (scan.hits.get(m)?.length ?? 0) > 0);
  return bounds.map((start, i) => {
    const next = bounds[i + 1];
    const isLast = next === undefined;
    const end = isLast ? scan.lastLine : next - 1;
    const inSegment = (line: number) => line >= start && line <= end;
    const found = readFacts(main, inSegment);
    // The last run's result may stand only in another log (the rollback log's ImageExit record, written
    // after it): lines logged before this run began belong to an earlier one.
    const began = secondsOf(scan.line(start) ?? '');
    const sinceStart = (log: DecodedLog) => (line: number) => began === null || (secondsOf(log.scan.line(line) ?? '') ?? began) >= began;
    if (isLast) for (const other of setupLogs.slice(1)) mergeMissing(found, readFacts(other, sinceStart(other)));
    const merged: Attempt = { ...emptyAttempt(), ...fromDiag, ...found.facts };
    const ended = o.ended.some((m) => (scan.hits.get(m) ?? []).some(inSegment));
    const progress = o.progress
      .flatMap((m) => scan.hits.get(m) ?? [])
      .filter(inSegment)
      .sort((a, b) => a - b);
    const lastProgress = progress.length > 0 ? (PROGRESS.exec(scan.line(progress[progress.length - 1]!) ?? '')?.[1] ?? null) : null;
    return {
      ...merged,
      start: TIMESTAMP.exec(scan.line(start) ?? '')?.[1] ?? merged.start,
      end: TIMESTAMP.exec(scan.line(end) ?? '')?.[1] ?? merged.end,
      rollbacks: o.rollback.reduce((n, m) => n + (scan.hits.get(m) ?? []).filter(inSegment).length, 0),
      ...decodeExtend(merged.extendCode, knowledge.extend),
      stopped: runBegan && !ended && isLast,
      sources: found.sources.length > 0 ? found.sources : diagSources,
      lastStep: lastProgress,
    };
  });
}

interface Facts {
  facts: Partial<Record<AttemptFact, string>>;
  sources: Evidence[];
}

function readFacts(log: DecodedLog, inSegment: (line: number) => boolean): Facts {
  const out: Facts = { facts: {}, sources: [] };
  for (const f of ATTEMPT_FACTS) {
    if (out.facts[f.fact] !== undefined) continue;
    const lines = (log.scan.hits.get(f.anchor) ?? []).filter(inSegment);
    for (const line of f.last ? [...lines].reverse() : lines) {
      const text = log.scan.line(line) ?? '';
      const value = f.pattern.exec(text)?.[1];
      if (!value) continue;
      out.facts[f.fact] = value.trim();
      if ((f.fact === 'resultCode' || f.fact === 'extendCode') && !out.sources.some((e) => e.file === log.path && e.line === line)) {
        out.sources.push({ file: log.path, line, text });
      }
      break;
    }
  }
  return out;
}

function mergeMissing(into: Facts, from: Facts): void {
  const codesMissing = into.facts.resultCode === undefined;
  for (const [fact, value] of Object.entries(from.facts) as [AttemptFact, string][]) into.facts[fact] ??= value;
  if (codesMissing && into.facts.resultCode !== undefined) into.sources.push(...from.sources);
}

/**
 * The earliest fatal error of the failing phase, and those logged with it: what to read first.
 * Candidates are the error lines that carry the run's own result code and the fatal markers
 * (`Operation failed:`, a failed phase, a failed specialize), logged before the result was and
 * before rollback began (a rollback log's lines are consequences). Setup survives many such lines;
 * the one that ended the run is in the last burst before the result, and comes first in it.
 */
function decisiveErrors(panther: DecodedLog[], knowledge: Knowledge, resultCode: string | null, resultAt: number | null): Evidence[] {
  const o = knowledge.outcomes;
  const harmless = (text: string) => knowledge.noise.some((n) => text.includes(n.anchor) && n.pattern.test(text));
  const withResult: TimedEvidence[] = [];
  const marked: TimedEvidence[] = [];
  for (const log of panther) {
    if (ROLLBACK_LOG.test(log.path)) continue;
    const rollbackAt = Math.min(...o.rollback.flatMap((m) => log.scan.hits.get(m) ?? []), Infinity);
    const at = (line: number): TimedEvidence => {
      const text = log.scan.line(line) ?? '';
      return { file: log.path, line, text, at: secondsOf(text) ?? line };
    };
    const errors = ERROR_ANCHORS.flatMap((a) => log.scan.hits.get(a) ?? []);
    for (const line of new Set(errors)) {
      const text = log.scan.line(line) ?? '';
      if (line < rollbackAt && carriesCode(text, resultCode) && !harmless(text)) withResult.push(at(line));
    }
    for (const line of new Set(o.decisive.flatMap((m) => log.scan.hits.get(m) ?? []))) if (line < rollbackAt) marked.push(at(line));
  }
  // Errors logged after the result was (cleanup in the new OS, a later run) did not cause it.
  const seen = new Set<string>();
  const candidates = [...withResult, ...marked]
    .filter((c) => (resultAt === null || c.at <= resultAt) && !seen.has(`${c.file}:${c.line}`) && seen.add(`${c.file}:${c.line}`))
    .sort((a, b) => a.at - b.at || a.line - b.line);
  // The same code or marker logged earlier, with setup going on after it, was survived: the failure
  // is the last burst of such lines, and its first line the decisive one.
  let first = candidates.length - 1;
  while (first > 0 && candidates[first]!.at - candidates[first - 1]!.at <= DECISIVE_SECONDS) first--;
  const start = candidates[first];
  const chainStart = start
    ? chainStartOf(
        panther.find((l) => l.path === start.file)!,
        start,
        harmless,
      )
    : null;
  const out: Evidence[] = [];
  for (const c of [...(chainStart ? [chainStart] : []), ...candidates.slice(first)]) {
    if (out.length >= MAX_DECISIVE_LINES) break;
    const body = c.text.replace(TIMESTAMP, '');
    if (out.some((e) => e.text.replace(TIMESTAMP, '') === body)) continue;
    out.push({ file: c.file, line: c.line, text: c.text });
  }
  return out;
}

type TimedEvidence = Evidence & { at: number };

/**
 * Where the failure began: the first of the error lines logged in an unbroken run right before the
 * decisive line, in the same second range. A component that fails reports its own code first
 * (DISM's missing dismprov.dll, 0x80070002) and setup then reports its own (Could not restore OC
 * status, 0x8007001F): the first line names the cause. Any line between that is not an error
 * (an Info line, a line the scan did not keep) ends the run: earlier errors were survived.
 */
function chainStartOf(log: DecodedLog, decisive: TimedEvidence, harmless: (text: string) => boolean): TimedEvidence | null {
  let earliest: TimedEvidence | null = null;
  for (let line = decisive.line - 1; line >= Math.max(1, decisive.line - MAX_CHAIN_LINES); line--) {
    const text = log.scan.line(line);
    if (text === undefined || !ERROR_LINE.test(text) || harmless(text)) break;
    const at = secondsOf(text) ?? decisive.at;
    if (decisive.at - at > DECISIVE_SECONDS) break;
    earliest = { file: decisive.file, line, text, at };
  }
  return earliest;
}

/** When the run's result was first written, if its lines carry a time. */
function resultTime(sources: Evidence[]): number | null {
  const times = sources.map((e) => secondsOf(e.text)).filter((t): t is number => t !== null);
  return times.length > 0 ? Math.min(...times) : null;
}

export function secondsOf(line: string): number | null {
  const t = TIMESTAMP.exec(line)?.[1];
  return t ? Date.parse(`${t.replace(' ', 'T')}Z`) / 1000 : null;
}

function meaningOf(code: string | null, knowledge: Knowledge): string | null {
  const n = code === null ? null : parseCode(code);
  return n === null ? null : (lookupCode(knowledge.codes, 'hresult', n)?.meaning ?? null);
}

/** The setup log lines SetupDiag quotes as the failure (`LogErrorLine`, `LogEntry:`), when no setup log says more. */
function setupdiagLogLines(logs: DecodedLog[]): Evidence[] {
  if (logs.some((l) => l.kind === 'panther')) return [];
  const out: Evidence[] = [];
  for (const diag of logs.filter((l) => l.kind === 'setupdiag' && l.text !== null)) {
    diag.text!.split(/\r?\n/).forEach((line, i) => {
      // The text form, or the XML when it came as a fragment without its root element.
      const quoted =
        /^(?:<LogErrorLine>|LogErrorLine:|(?:<FailureData>|FailureData:\s*)?LogEntry:)\s*(\S.*?)\s*(?:<\/(?:LogErrorLine|FailureData)>)?$/.exec(
          line.trim(),
        )?.[1];
      if (quoted && !out.some((e) => e.text === quoted)) out.push({ file: diag.path, line: i + 1, text: quoted });
    });
  }
  return out;
}

/** The line of SetupDiag's result that states the error codes. */
function setupdiagResultLine(diag: DecodedLog): Evidence[] {
  const lines = diag.text!.split(/\r?\n/);
  const i = lines.findIndex((l) => RESULT_CODES.test(l) || SETUPDIAG_ERROR.test(l));
  return i < 0 ? [] : [{ file: diag.path, line: i + 1, text: lines[i]!.trim() }];
}

const RESULT_CODES = /Error\s*[:=]\s*(0x[0-9A-Fa-f]{8})\s*-\s*(0x[0-9A-Fa-f]+)/;
/** Without the pair, the failure details' own error (`Err = 0x…`, `Error = 0x…`, `<Setup360Result>`). */
const SETUPDIAG_ERROR = /\b(?:Err(?:or)?\s*=|Setup360Result:)\s*(0x[0-9A-Fa-f]{8})\b/;

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
  const codes = RESULT_CODES.exec(text);
  const error = codes ? null : SETUPDIAG_ERROR.exec(text);
  return definedOnly({
    hostBuild: first(/HostOSBuildString\s*[=:]\s*(\S+)/),
    targetBuild: first(/TargetOSBuildString\s*[=:]\s*(\S+)/),
    phase: first(/Last (?:Setup )?Phase\s*[:=]\s*(.+)/),
    operation: first(/Last (?:Setup )?Operation\s*[:=]\s*(.+)/),
    resultCode: codes?.[1] ?? error?.[1],
    extendCode: codes?.[2] ?? first(/(?:ExtendedCode\s*=|Setup360Extended:)\s*(0x[0-9A-Fa-f]+)/),
    start: first(/UpgradeStartTime\s*[=:]\s*(.+)/),
    end: first(/UpgradeEndTime\s*[=:]\s*(.+)/),
  });
}

/** An extend code's phase (first hex digit) and operation (last two), from the tables. */
function extendParts(extend: string | null, tables: ExtendCodes): { phase?: CodeInfo; operation?: CodeInfo } {
  if (!extend || !/^0x[0-9a-f]+$/i.test(extend)) return {};
  const n = parseInt(extend, 16);
  // Extend codes are five hex digits; a larger value (e.g. a second HRESULT) is not one.
  if (n > 0xfffff) return {};
  const phase = tables.phases.get((n >> 16) & 0xf);
  return { phase, operation: phase?.operations ? tables.operations.get(n & 0xff) : undefined };
}

/** `0x30018` → `第一次启动阶段（…），操作：系统准备（sysprep）`. */
function extendMeaning(extend: string | null, tables: ExtendCodes): string | null {
  const { phase, operation } = extendParts(extend, tables);
  if (!phase) return null;
  return operation ? `${phase.meaning}，操作：${operation.meaning}` : phase.meaning;
}

/** `0x30018` → FIRST_BOOT (3) during SYSPREP (0x18). */
export function decodeExtend(extend: string | null, tables: ExtendCodes): Pick<Attempt, 'extendPhase' | 'extendOperation'> {
  const { phase, operation } = extendParts(extend, tables);
  return {
    extendPhase: phase ? phase.name.replace(/^SP_EXECUTION_/, '') : null,
    extendOperation: operation ? operation.name.replace(/^SP_EXECUTION_OP_/, '') : null,
  };
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== null && v !== '')) as Partial<T>;
}
