// Runs one rule over the scanned logs of a bundle and returns one finding per distinct
// occurrence (per value of the rule's key facts). The scanner has already found every line
// holding a rule's anchor; here each such line meets the signal's regex.

import type { Evidence, Finding, LogFileInput, LogKind } from '../types';
import { decodeFacts, gleOf } from './decode-code';
import type { Knowledge, Rule, Signal } from './knowledge';
import type { ScannedLog } from './log-scanner';

export interface DecodedLog {
  path: string;
  kind: Exclude<LogKind, 'other'>;
  scan: ScannedLog;
  source: LogFileInput;
  /** The whole text, kept only for small result files (SetupDiag). */
  text: string | null;
}

/** Finds the lines of a log that contain a literal (a second, targeted pass). */
export type FindLiteral = (log: DecodedLog, literal: string, max: number) => Promise<Evidence[]>;

interface Hit {
  signal: Signal;
  log: DecodedLog;
  line: number;
  groups: Record<string, string>;
}

/** What an engineer can read in a mail; the rest is in the bundle. */
const MAX_EVIDENCE = 40;
const MAX_CONTAINING_HITS = 20;
/** Context lines further than this in time from the matched line are another story. */
const CONTEXT_SECONDS = 120;
const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2}),/;

export async function matchRule(rule: Rule, logs: DecodedLog[], knowledge: Knowledge, findLiteral: FindLiteral): Promise<Finding[]> {
  const triggers = rule.signals.filter((s) => s.role === 'trigger').flatMap((s) => findHits(s, logs));
  if (triggers.length === 0) return [];
  const details = rule.signals.filter((s) => s.role === 'detail').flatMap((s) => findHits(s, logs));

  const groups = new Map<string, Hit[]>();
  for (const hit of triggers) {
    const key = rule.key.map((k) => (hit.groups[k] ?? '').trim().toLowerCase()).join('|');
    const list = groups.get(key);
    if (list) list.push(hit);
    else groups.set(key, [hit]);
  }
  const findings: Finding[] = [];
  for (const hits of groups.values()) findings.push(await buildFinding(rule, hits, details, logs, knowledge, findLiteral));
  return findings;
}

async function buildFinding(
  rule: Rule,
  hits: Hit[],
  details: Hit[],
  logs: DecodedLog[],
  knowledge: Knowledge,
  findLiteral: FindLiteral,
): Promise<Finding> {
  const near = details.filter((d) => hits.some((h) => h.log === d.log && Math.abs(h.line - d.line) <= rule.detailWindow));
  const facts: Record<string, string> = {};
  for (const hit of [...hits, ...near]) {
    for (const [name, value] of Object.entries(hit.groups)) {
      if (facts[name] === undefined && value.trim() !== '') facts[name] = value.trim();
    }
  }
  for (const d of rule.derive) {
    const source = facts[d.from];
    const m = source === undefined ? null : d.pattern.exec(source);
    for (const [name, value] of Object.entries(m?.groups ?? {})) {
      if (value !== undefined && facts[name] === undefined) facts[name] = value;
    }
  }
  // The first trigger line's gle, when the rule captured none: setup's own last error there.
  const gle = facts.gle ?? hits.map((h) => gleOf(h.log.scan.line(h.line) ?? '')).find((g) => g !== null && Number(g) !== 0);
  if (gle) facts.gle = gle;
  Object.assign(facts, decodeFacts(facts, { gle: 'win32', ...rule.decode }, knowledge.codes));
  if (rule.productFact && facts[rule.productFact]) {
    const product = knowledge.products.get(facts[rule.productFact]!.toLowerCase());
    if (product) {
      facts.product = product.name;
      facts.productVendor = product.vendor;
      if (product.note) facts.productNote = product.note;
    }
  }

  const evidence = await collectEvidence(rule, hits, near, facts, logs, findLiteral);
  const fix = rule.fix
    .filter((step) => (step.when === null || facts[step.when] !== undefined) && (step.unless === null || facts[step.unless] === undefined))
    .map((step) => ({ text: step.text(facts), commands: step.commands.map((c) => c(facts)) }));
  return {
    rule: rule.id,
    category: rule.category,
    title: rule.title(facts),
    summary: rule.summary(facts).trim(),
    ...confidenceOf(rule, hits, near),
    evidence,
    facts,
    fix,
    actions: fix.flatMap((s) => s.commands),
    resolution: rule.resolution(facts).trim(),
  };
}

async function collectEvidence(
  rule: Rule,
  hits: Hit[],
  near: Hit[],
  facts: Record<string, string>,
  logs: DecodedLog[],
  findLiteral: FindLiteral,
): Promise<Evidence[]> {
  const wanted = new Map<DecodedLog, Map<number, string>>();
  const add = (log: DecodedLog, line: number, text: string | undefined) => {
    if (text === undefined) return;
    const lines = wanted.get(log) ?? new Map<number, string>();
    lines.set(line, text);
    wanted.set(log, lines);
  };
  for (const hit of hits) {
    const at = timestampOf(hit.log.scan.line(hit.line) ?? '');
    for (let l = hit.line - hit.signal.context.before; l <= hit.line + hit.signal.context.after; l++) {
      const text = hit.log.scan.line(l);
      if (text === undefined) continue;
      // setuperr.log holds only errors: its neighbours can be from another hour. Keep context close in time.
      const t = l === hit.line ? at : timestampOf(text);
      if (at === null || t === null || Math.abs(t - at) <= CONTEXT_SECONDS) add(hit.log, l, text);
    }
  }
  for (const hit of near) add(hit.log, hit.line, hit.log.scan.line(hit.line));
  for (const name of rule.evidenceContaining) {
    const value = facts[name];
    if (!value) continue;
    for (const log of logs) {
      if (log.kind !== 'panther' || !hits.some((h) => h.log === log)) continue;
      for (const e of await findLiteral(log, value, MAX_CONTAINING_HITS)) add(log, e.line, e.text);
    }
  }

  // setuperr.log repeats setupact.log's errors: quote each line once, from the fuller file.
  const quoted = new Map<string, DecodedLog>();
  const picked = new Map<DecodedLog, number[]>();
  for (const log of [...logs].sort((a, b) => b.scan.lineCount - a.scan.lineCount)) {
    const lines = wanted.get(log);
    if (!lines) continue;
    for (const [line, text] of [...lines].sort((a, b) => a[0] - b[0])) {
      const from = quoted.get(text);
      if (from && from !== log) continue;
      quoted.set(text, log);
      picked.set(log, [...(picked.get(log) ?? []), line]);
    }
  }
  const evidence: Evidence[] = [];
  for (const log of logs) {
    for (const line of picked.get(log) ?? []) evidence.push({ file: log.path, line, text: wanted.get(log)!.get(line)! });
  }
  return evidence.slice(0, MAX_EVIDENCE);
}

function findHits(signal: Signal, logs: DecodedLog[]): Hit[] {
  const hits: Hit[] = [];
  for (const log of logs) {
    if (log.kind !== signal.log) continue;
    for (const line of log.scan.hits.get(signal.anchor) ?? []) {
      const m = signal.pattern.exec(log.scan.line(line) ?? '');
      if (m) hits.push({ signal, log, line, groups: definedGroups(m.groups) });
    }
  }
  return hits;
}

function definedGroups(groups: Record<string, string | undefined> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(groups ?? {})) if (v !== undefined) out[k] = v;
  return out;
}

function timestampOf(line: string): number | null {
  const m = TIMESTAMP.exec(line);
  return m ? Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!) / 1000 : null;
}

/**
 * Earned, not assumed: `low` when only result codes point at the cause (a possibility) or the rule
 * is a generic profile; `high` when independent evidence of the cause itself agrees (two kinds of
 * line or of file); `medium` for one piece of such evidence.
 */
function confidenceOf(rule: Rule, hits: Hit[], near: Hit[]): Pick<Finding, 'confidence' | 'confidenceWhy' | 'basis'> {
  // setuperr.log repeats setupact.log: independent evidence is another kind of line or another kind of file.
  const causal = [...hits, ...near].filter((h) => h.signal.proves === 'cause');
  if (causal.length === 0) {
    return {
      confidence: 'low',
      basis: 'outcome',
      confidenceWhy: '只是根据结果代码推断的可能原因：日志中没有这一原因的直接证据（没有出现具体的驱动、插件、错误检查代码或失败的操作）。',
    };
  }
  if (rule.fallback) {
    return { confidence: 'low', basis: 'cause', confidenceWhy: '只匹配到通用的失败信息（阶段、操作和错误码），没有找到更具体的原因。' };
  }
  const signals = new Set(causal.map((h) => h.signal)).size;
  const kinds = new Set(causal.map((h) => h.log.kind)).size;
  const files = [...new Set(causal.map((h) => h.log.path.split('/').pop()!))];
  if (signals >= 2 || kinds >= 2) {
    return { confidence: 'high', basis: 'cause', confidenceWhy: `${files.join('、')} 中 ${signals} 种相关错误相互印证。` };
  }
  const first = causal[0]!;
  const count = causal.filter((h) => h.signal === first.signal).length;
  return {
    confidence: 'medium',
    basis: 'cause',
    confidenceWhy: `只有一种证据（${files[0]} 第 ${first.line} 行${count > 1 ? ` 等 ${count} 处` : ''}）。`,
  };
}
