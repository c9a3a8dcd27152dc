// Analyzes every file of a log bundle together: decodes each by its real encoding,
// recognises it by content, runs every rule, and gives the verdict.

import type { Analysis, FileReport, Finding, LogFileInput, Verdict } from '../types';
import { classifyLog } from './classify-log';
import { decodeText, detectEncoding } from './decode-text';
import type { Knowledge } from './knowledge';
import { LineIndex } from './line-index';
import { matchRule, type DecodedLog } from './match-rule';
import { setupdiagAsText } from './setupdiag-text';

export function analyzeBundle(files: LogFileInput[], knowledge: Knowledge): Analysis {
  const reports: FileReport[] = [];
  const logs: DecodedLog[] = [];
  for (const file of files) {
    const encoding = detectEncoding(file.bytes);
    const text = decodeText(file.bytes, encoding);
    const kind = classifyLog(text);
    const index = new LineIndex(kind === 'setupdiag' ? setupdiagAsText(text) : text);
    reports.push({ path: file.path, kind, encoding, lines: index.lineCount });
    if (kind !== 'other') logs.push({ path: file.path, kind, index });
  }

  const specific = knowledge.rules.filter((r) => !r.fallback).flatMap((rule) => matchRule(rule, logs, knowledge));
  const findings: Finding[] =
    specific.length > 0 ? specific : knowledge.rules.filter((r) => r.fallback).flatMap((rule) => matchRule(rule, logs, knowledge));
  const problems: string[] = [];
  if (!logs.some((l) => l.kind === 'panther')) {
    problems.push(
      files.length === 0
        ? '日志包中没有任何文件。'
        : '日志包中没有找到升级安装日志（setupact.log），无法分析升级失败的原因。',
    );
  }
  return { verdict: verdictOf(logs, findings, knowledge), findings, files: reports, problems };
}

function verdictOf(logs: DecodedLog[], findings: Finding[], knowledge: Knowledge): Verdict {
  if (logs.length === 0) return 'not-setup-log';
  if (findings.length > 0) return 'failed';
  const panther = logs.filter((l) => l.kind === 'panther');
  const has = (markers: string[]) => panther.some((l) => markers.some((m) => l.index.text.includes(m)));
  if (has(knowledge.outcomes.failed)) return 'failed';
  if (has(knowledge.outcomes.succeeded)) return 'succeeded';
  return 'unknown';
}
