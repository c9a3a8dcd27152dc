// Analyzes every file of a log bundle together: decodes each by its real encoding,
// recognises it by content, runs every rule, and tells the story of the run.

import type { Analysis, Evidence, FileReport, Finding, LogFileInput } from '../types';
import { buildStory } from './build-story';
import { classifyLog } from './classify-log';
import { decodeText, detectEncoding } from './decode-text';
import type { Knowledge } from './knowledge';
import { LineIndex } from './line-index';
import { matchRule, type DecodedLog } from './match-rule';
import { setupdiagAsText } from './setupdiag-text';

/** Enough error lines to see the pattern, few enough to read in a mail. */
const MAX_ERROR_LINES = 10;

export interface AnalyzeOptions {
  /** Lines of context to attach around each evidence line (for `--explain`). */
  contextLines?: number;
}

export function analyzeBundle(files: LogFileInput[], knowledge: Knowledge, options: AnalyzeOptions = {}): Analysis {
  const reports: FileReport[] = [];
  const logs: DecodedLog[] = [];
  const problems: string[] = [];
  for (const file of files) {
    const encoding = detectEncoding(file.bytes);
    const text = decodeText(file.bytes, encoding);
    const kind = classifyLog(text);
    const index = new LineIndex(kind === 'setupdiag' ? setupdiagAsText(text) : text);
    reports.push({ path: file.path, kind, encoding, lines: index.lineCount });
    if (kind !== 'other') logs.push({ path: file.path, kind, index });
    else if (/(?:^|\/)(setupact|setuperr)\.log$/i.test(file.path)) {
      problems.push(`${file.path.replace(/\//g, '\\')} 不是 Windows 安装日志（内容格式不同，可能是其他程序写的同名文件），已忽略。`);
    }
  }

  const specific = knowledge.rules.filter((r) => !r.fallback).flatMap((rule) => matchRule(rule, logs, knowledge));
  const findings: Finding[] =
    specific.length > 0 ? specific : knowledge.rules.filter((r) => r.fallback).flatMap((rule) => matchRule(rule, logs, knowledge));
  const story = buildStory(logs, findings, knowledge);
  if (!logs.some((l) => l.kind === 'panther')) {
    problems.push(files.length === 0 ? '日志包中没有任何文件。' : '日志包中没有找到升级安装日志（setupact.log），无法完整分析升级过程。');
  }
  if (story.scenario) problems.push(`这不是升级日志，而是${story.scenario.name}。`);
  const errorLines = findings.length === 0 && ['failed', 'unknown', 'incomplete'].includes(story.verdict) ? tellingErrorLines(logs, knowledge) : [];
  if (findings.length === 0 && story.verdict === 'failed') {
    problems.push('日志显示升级失败，但没有匹配到已知的失败原因，现有证据不足以确定根本原因。');
  }
  if (options.contextLines) addContext([...findings.flatMap((f) => f.evidence), ...errorLines], logs, options.contextLines);
  return { verdict: story.verdict, scenario: story.scenario?.name ?? null, attempts: story.attempts, findings, errorLines, files: reports, problems };
}

/** The first error lines of the run, harmless noise and repeats left out: the first fatal error, not its echo. */
function tellingErrorLines(logs: DecodedLog[], knowledge: Knowledge): Evidence[] {
  const out: Evidence[] = [];
  const seen = new Set<string>();
  for (const log of logs.filter((l) => l.kind === 'panther').sort((a, b) => b.index.lineCount - a.index.lineCount)) {
    const text = log.index.text;
    for (const level of [', Fatal Error', ', Error']) {
      for (let at = text.indexOf(level); at !== -1 && out.length < MAX_ERROR_LINES; at = text.indexOf(level, at + level.length)) {
        const line = log.index.lineAt(at);
        const content = log.index.line(line);
        if (knowledge.noise.some((n) => content.includes(n.anchor) && n.pattern.test(content))) continue;
        const shape = content.replace(/^[^,]*,\s*/, '').replace(/0x[0-9a-f]+|\d+/gi, '#');
        if (seen.has(shape)) continue;
        seen.add(shape);
        out.push({ file: log.path, line, text: content });
      }
    }
  }
  return out.sort((a, b) => (a.file === b.file ? a.line - b.line : 0));
}

function addContext(evidence: Evidence[], logs: DecodedLog[], lines: number): void {
  for (const e of evidence) {
    const log = logs.find((l) => l.path === e.file);
    if (!log) continue;
    e.context = [];
    for (let n = Math.max(1, e.line - lines); n <= Math.min(log.index.lineCount, e.line + lines); n++) {
      e.context.push({ line: n, text: log.index.line(n) });
    }
  }
}
