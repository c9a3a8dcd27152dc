// Analyzes every file of a log bundle together: streams each once through the scanner (which
// decodes by the real encoding and keeps only the lines the rules can use), recognises it by
// content, runs every rule, and tells the story of the run.

import { problem, ProblemError, type Problem } from '../intake/problem';
import type { Analysis, Evidence, FileReport, Finding, LogFileInput, LogKind, Outcome } from '../types';
import { buildStory, ERROR_ANCHORS, ROLLBACK_LOG, secondsOf, storyAnchors } from './build-story';
import { carriesCode, explainGle } from './decode-code';
import { classifyLog } from './classify-log';
import { readLogText } from './decode-text';
import type { Knowledge } from './knowledge';
import { MAX_HITS_PER_ANCHOR, scanLog, type AnchorSpec, type ScannedLog } from './log-scanner';
import { matchRule, type DecodedLog, type FindLiteral } from './match-rule';
import { setupdiagAsText } from './setupdiag-text';

/** Enough error lines to see the pattern, few enough to read in a mail. */
const MAX_ERROR_LINES = 10;
/** SetupDiag results are a few KB; a bigger "result" is read only this far. */
const MAX_SETUPDIAG_BYTES = 16 * 1024 * 1024;

/** The anchors to scan a log for, by what the log turns out to be. */
export type AnchorsByKind = Record<LogKind, AnchorSpec[]>;

export interface AnalyzeOptions {
  /** Lines of context to attach around each evidence line (for `--explain`). */
  contextLines?: number;
  /** The customers' ANSI code page: how a log line that is not UTF-8 is read (default GB18030). */
  ansiCodePage?: string;
}

export function anchorsByKind(knowledge: Knowledge, contextLines = 0): AnchorsByKind {
  const kinds: LogKind[] = ['panther', 'setupdiag', 'compat-xml', 'setupapi', 'miglog', 'other'];
  return Object.fromEntries(kinds.map((k) => [k, analysisAnchors(knowledge, k, contextLines)])) as AnchorsByKind;
}

/** Every literal the analysis needs from a log of this kind, with the context lines wanted around it. */
export function analysisAnchors(knowledge: Knowledge, kind: LogKind, contextLines = 0): AnchorSpec[] {
  if (kind === 'other') return [];
  const specs = new Map<string, AnchorSpec>();
  const want = (literal: string, before: number, after: number, maxHits = MAX_HITS_PER_ANCHOR) => {
    const s = specs.get(literal) ?? { literal, before: 0, after: 0, maxHits: 0 };
    specs.set(literal, {
      literal,
      before: Math.max(s.before, before, contextLines),
      after: Math.max(s.after, after, contextLines),
      maxHits: Math.max(s.maxHits ?? 0, maxHits),
    });
  };
  for (const rule of knowledge.rules) for (const s of rule.signals) if (s.log === kind) want(s.anchor, s.context.before, s.context.after);
  if (kind === 'panther') {
    for (const s of storyAnchors(knowledge)) want(s.literal, s.before, s.after, s.maxHits);
    for (const a of ERROR_ANCHORS) want(a, 0, 0);
  }
  return [...specs.values()];
}

export async function analyzeBundle(files: LogFileInput[], knowledge: Knowledge, options: AnalyzeOptions = {}): Promise<Analysis> {
  const anchors = anchorsByKind(knowledge, options.contextLines ?? 0);
  const reports: FileReport[] = [];
  const logs: DecodedLog[] = [];
  const problems: Problem[] = [];
  // One file at a time: memory stays flat (measured: worker threads bought 15% and cost 150 MB).
  for (const file of files) {
    let scan: ScannedLog;
    try {
      scan = await scanLog(file.open(), (head) => anchors[classifyLog(head)], options.ansiCodePage);
    } catch (err) {
      problems.push(err instanceof ProblemError ? err.problem : problem('FILE_UNREADABLE', { file: file.path }, (err as Error).message));
      continue;
    }
    const kind = classifyLog(scan.head);
    let text: string | null = null;
    if (kind === 'setupdiag') {
      // Small: read whole, so XML and JSON results can be turned into the text form rules read.
      text = setupdiagAsText(await readLogText(file, MAX_SETUPDIAG_BYTES, options.ansiCodePage));
      scan = await scanLog([Buffer.from(text, 'utf8')], anchors.setupdiag);
    }
    reports.push({ path: file.path, kind, encoding: scan.encoding, lines: scan.lineCount });
    if (kind !== 'other') logs.push({ path: file.path, kind, scan, source: file, text });
    else if (scan.head.length === 0) {
      // Empty is not "another program's file": the collector ran out of time or the copy failed.
      problems.push(problem('EMPTY_LOG', { file: file.path }));
    } else if (/(?:^|\/)(setupact|setuperr)\.log$/i.test(file.path)) {
      problems.push(problem('NOT_SETUP_LOG', { file: file.path }));
    }
  }

  const run = async (fallback: boolean) => {
    const out: Finding[] = [];
    for (const rule of knowledge.rules.filter((r) => r.fallback === fallback))
      out.push(...(await matchRule(rule, logs, knowledge, findLiteral(options.ansiCodePage))));
    return out;
  };
  const specific = unlinkedToOutcome(await run(false), buildStory(logs, [], knowledge).outcome);
  // Generic profiles speak only when no specific rule has evidence of the cause itself.
  const unranked = specific.some((f) => f.confidence !== 'low') ? specific : [...specific, ...(await run(true))];
  const story = buildStory(logs, unranked, knowledge);
  const findings = rankFindings(unranked, story.outcome?.decisive ?? []);
  if (!logs.some((l) => l.kind === 'panther')) {
    problems.push(files.length === 0 ? problem('NO_FILES', {}) : problem('NO_SETUP_LOG', {}));
  }
  if (story.scenario) problems.push(problem('NOT_UPGRADE', { scenario: story.scenario.name }));
  if (story.verdict === 'incomplete' && story.outcome?.lastAt) {
    problems.push(problem('RUN_INCOMPLETE', { at: story.outcome.lastAt, step: story.outcome.lastStep ?? null }));
  }
  const errorLines =
    findings.length === 0 && ['failed', 'unknown', 'incomplete'].includes(story.verdict) ? tellingErrorLines(logs, knowledge) : [];
  if (findings.length === 0 && story.verdict === 'failed') {
    problems.push(problem('CAUSE_UNKNOWN', {}));
  }
  const evidence = [
    ...findings.flatMap((f) => f.evidence),
    ...errorLines,
    ...(story.outcome ? [...story.outcome.evidence, ...story.outcome.decisive] : []),
  ];
  for (const e of evidence) {
    const gle = explainGle(e.text, knowledge.codes);
    if (gle) e.gle = gle;
  }
  if (options.contextLines) addContext(evidence, logs, options.contextLines);
  return {
    verdict: story.verdict,
    outcome: story.outcome,
    scenario: story.scenario?.name ?? null,
    attempts: story.attempts,
    findings,
    errorLines,
    files: reports,
    problems,
  };
}

const CONFIDENCE_RANK = { high: 0, medium: 1, low: 2 } as const;
/** Errors logged this close to where the run's result was first logged belong to the same failure. */
const LINKED_SECONDS = 60;

/**
 * A rule's cause comes under the run's result. Where the logs show the decisive error (the line
 * that first carries the result code, or the earliest fatal error of the failing phase), a
 * finding whose lines neither carry the result code nor stand near that error is an earlier
 * error setup went on from: only a possibility.
 */
function unlinkedToOutcome(findings: Finding[], outcome: Outcome | null): Finding[] {
  const decisive = (outcome?.decisive ?? []).map((d) => secondsOf(d.text)).filter((t): t is number => t !== null);
  if (!outcome || decisive.length === 0) return findings;
  const failedAt = Math.min(...decisive);
  return findings.map((f) => {
    if (f.confidence === 'low') return f;
    const times = f.evidence.map((e) => secondsOf(e.text)).filter((t): t is number => t !== null);
    const linked =
      times.length === 0 ||
      f.evidence.some((e) => carriesCode(e.text, outcome.resultCode)) ||
      times.some((t) => decisive.some((d) => Math.abs(t - d) <= LINKED_SECONDS));
    if (linked) return f;
    const minutes = Math.round((failedAt - Math.max(...times)) / 60);
    const when = minutes >= 1 ? `出现在导致失败的错误之前约 ${minutes} 分钟` : '出现在导致失败的错误之后';
    return {
      ...f,
      confidence: 'low',
      confidenceWhy: `这一错误${when}，不带本次失败的结果代码${outcome.resultCode ? ` ${outcome.resultCode}` : ''}，安装程序在它之后继续运行，日志中看不出它与失败有关联。`,
    };
  });
}

/** Surest first; among equals, a finding that quotes the run's decisive error outranks one that does not. */
function rankFindings(findings: Finding[], decisive: Evidence[]): Finding[] {
  const quotesDecisive = (f: Finding) => (f.evidence.some((e) => decisive.some((d) => d.file === e.file && d.line === e.line)) ? 0 : 1);
  return findings
    .map((f, i) => ({ f, i }))
    .sort(
      (a, b) => CONFIDENCE_RANK[a.f.confidence] - CONFIDENCE_RANK[b.f.confidence] || quotesDecisive(a.f) - quotesDecisive(b.f) || a.i - b.i,
    )
    .map(({ f }) => f);
}

/** A second, targeted pass for one literal (a fact's value), only over logs a rule fired on. */
function findLiteral(ansi: string | undefined): FindLiteral {
  return async (log, literal, max) => {
    const source = log.text !== null ? [Buffer.from(log.text, 'utf8')] : log.source.open();
    const scan = await scanLog(source, [{ literal, before: 0, after: 0 }], ansi);
    return (scan.hits.get(literal) ?? []).slice(0, max).map((line) => ({ file: log.path, line, text: scan.line(line) ?? '' }));
  };
}

/**
 * The first error lines of the run, harmless noise and repeats left out: the first fatal error, not
 * its echo. Errors logged while rolling back are consequences: a rollback log, and the lines after
 * rollback began in a log, are left out unless nothing else is there.
 */
function tellingErrorLines(logs: DecodedLog[], knowledge: Knowledge): Evidence[] {
  const panther = logs.filter((l) => l.kind === 'panther').sort((a, b) => b.scan.lineCount - a.scan.lineCount);
  const beforeRollback = panther.filter((l) => !ROLLBACK_LOG.test(l.path));
  const chosen = errorLinesOf(beforeRollback, knowledge, true);
  return chosen.length > 0 ? chosen : errorLinesOf(panther, knowledge, false);
}

function errorLinesOf(panther: DecodedLog[], knowledge: Knowledge, beforeRollbackOnly: boolean): Evidence[] {
  const out: Evidence[] = [];
  const seen = new Set<string>();
  for (const log of panther) {
    const rollbackAt = beforeRollbackOnly
      ? Math.min(...knowledge.outcomes.rollback.flatMap((m) => log.scan.hits.get(m) ?? []), Infinity)
      : Infinity;
    const lines = [...new Set(ERROR_ANCHORS.flatMap((a) => log.scan.hits.get(a) ?? []))]
      .filter((l) => l < rollbackAt)
      .sort((a, b) => a - b);
    for (const line of lines) {
      if (out.length >= MAX_ERROR_LINES) break;
      const content = log.scan.line(line) ?? '';
      if (!/^\S+ \S+, (?:Fatal )?Error/.test(content)) continue;
      if (knowledge.noise.some((n) => content.includes(n.anchor) && n.pattern.test(content))) continue;
      const shape = content.replace(/^[^,]*,\s*/, '').replace(/0x[0-9a-f]+|\d+/gi, '#');
      if (seen.has(shape)) continue;
      seen.add(shape);
      out.push({ file: log.path, line, text: content });
    }
  }
  return out;
}

function addContext(evidence: Evidence[], logs: DecodedLog[], lines: number): void {
  for (const e of evidence) {
    const log = logs.find((l) => l.path === e.file);
    if (!log) continue;
    e.context = [];
    for (let n = Math.max(1, e.line - lines); n <= Math.min(log.scan.lineCount, e.line + lines); n++) {
      const text = log.scan.line(n);
      if (text !== undefined) e.context.push({ line: n, text });
    }
  }
}
