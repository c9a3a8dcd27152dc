// Runs one rule over the decoded logs of a bundle and returns one finding per distinct
// occurrence (per value of the rule's key facts). Anchors are found with indexOf before any
// regex runs, so a rule costs one pass of a literal search per file.

import type { Evidence, Finding, LogKind } from '../types';
import type { Knowledge, Rule, Signal } from './knowledge';
import type { LineIndex } from './line-index';
import { decodeFacts } from './decode-code';

export interface DecodedLog {
  path: string;
  kind: Exclude<LogKind, 'other'>;
  index: LineIndex;
}

interface Hit {
  signal: Signal;
  log: DecodedLog;
  line: number;
  groups: Record<string, string>;
}

/** Bounds the work one signal can cause on a hostile log that repeats its anchor. */
const MAX_HITS_PER_SIGNAL = 2000;
/** What an engineer can read in a mail; the rest is in the bundle. */
const MAX_EVIDENCE = 40;
const MAX_CONTAINING_HITS = 20;
/** Context lines further than this in time from the matched line are another story. */
const CONTEXT_SECONDS = 120;
const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2}),/;

export function matchRule(rule: Rule, logs: DecodedLog[], knowledge: Knowledge): Finding[] {
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

  return [...groups.values()].map((hits) => buildFinding(rule, hits, details, logs, knowledge));
}

function buildFinding(rule: Rule, hits: Hit[], details: Hit[], logs: DecodedLog[], knowledge: Knowledge): Finding {
  const near = details.filter((d) =>
    hits.some((h) => h.log === d.log && Math.abs(h.line - d.line) <= rule.detailWindow),
  );
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
  Object.assign(facts, decodeFacts(facts, rule.decode, knowledge.codes));
  if (rule.productFact && facts[rule.productFact]) {
    const product = knowledge.products.get(facts[rule.productFact]!.toLowerCase());
    if (product) {
      facts.product = product.name;
      facts.productVendor = product.vendor;
      if (product.note) facts.productNote = product.note;
    }
  }

  const evidence = collectEvidence(rule, hits, near, facts, logs);
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

function collectEvidence(
  rule: Rule,
  hits: Hit[],
  near: Hit[],
  facts: Record<string, string>,
  logs: DecodedLog[],
): Evidence[] {
  const wanted = new Map<DecodedLog, Set<number>>();
  const add = (log: DecodedLog, line: number) => {
    if (line < 1 || line > log.index.lineCount) return;
    const set = wanted.get(log) ?? new Set<number>();
    set.add(line);
    wanted.set(log, set);
  };
  for (const hit of hits) {
    const at = timestampOf(hit.log.index.line(hit.line));
    for (let l = hit.line - hit.signal.context.before; l <= hit.line + hit.signal.context.after; l++) {
      // setuperr.log holds only errors: its neighbours can be from another hour. Keep context close in time.
      const t = l === hit.line ? at : timestampOf(hit.log.index.line(l));
      if (at === null || t === null || Math.abs(t - at) <= CONTEXT_SECONDS) add(hit.log, l);
    }
  }
  for (const hit of near) add(hit.log, hit.line);
  for (const name of rule.evidenceContaining) {
    const value = facts[name];
    if (!value) continue;
    for (const log of logs) {
      if (log.kind !== 'panther') continue;
      let found = 0;
      for (let pos = log.index.text.indexOf(value); pos !== -1 && found < MAX_CONTAINING_HITS; found++) {
        const line = log.index.lineAt(pos);
        add(log, line);
        pos = log.index.text.indexOf(value, pos + value.length);
      }
    }
  }
  const evidence: Evidence[] = [];
  // setuperr.log repeats setupact.log's errors: quote each line once, from the fuller file.
  const quoted = new Map<string, DecodedLog>();
  const fuller = [...logs].sort((a, b) => b.index.lineCount - a.index.lineCount);
  const picked = new Map<DecodedLog, number[]>();
  for (const log of fuller) {
    for (const line of [...(wanted.get(log) ?? [])].sort((a, b) => a - b)) {
      const text = log.index.line(line);
      const from = quoted.get(text);
      if (from && from !== log) continue;
      quoted.set(text, log);
      picked.set(log, [...(picked.get(log) ?? []), line]);
    }
  }
  for (const log of logs) {
    for (const line of picked.get(log) ?? []) evidence.push({ file: log.path, line, text: log.index.line(line) });
  }
  return evidence.slice(0, MAX_EVIDENCE);
}

function findHits(signal: Signal, logs: DecodedLog[]): Hit[] {
  const hits: Hit[] = [];
  for (const log of logs) {
    if (log.kind !== signal.log) continue;
    const text = log.index.text;
    let pos = text.indexOf(signal.anchor);
    let lastLine = 0;
    while (pos !== -1 && hits.length < MAX_HITS_PER_SIGNAL) {
      const line = log.index.lineAt(pos);
      if (line !== lastLine) {
        lastLine = line;
        const m = signal.pattern.exec(log.index.line(line));
        if (m) hits.push({ signal, log, line, groups: definedGroups(m.groups) });
      }
      pos = text.indexOf(signal.anchor, pos + signal.anchor.length);
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

/** High when independent evidence agrees (two files or two kinds of line), low for a generic profile. */
function confidenceOf(rule: Rule, hits: Hit[], near: Hit[]): Pick<Finding, 'confidence' | 'confidenceWhy'> {
  if (rule.fallback) {
    return { confidence: 'low', confidenceWhy: '只匹配到通用的失败信息（阶段、操作和错误码），没有找到更具体的原因。' };
  }
  // setuperr.log repeats setupact.log: independent evidence is another kind of line or another kind of file.
  const all = [...hits, ...near];
  const signals = new Set(all.map((h) => h.signal)).size;
  const kinds = [...new Set(all.map((h) => h.log.kind))];
  const files = [...new Set(all.map((h) => h.log.path.split('/').pop()!))];
  if (signals >= 2 || kinds.length >= 2) {
    return { confidence: 'high', confidenceWhy: `${files.join('、')} 中 ${signals} 种相关错误相互印证。` };
  }
  const first = hits[0]!;
  return { confidence: 'medium', confidenceWhy: `只有一种证据（${files[0]} 第 ${first.line} 行${hits.length > 1 ? ` 等 ${hits.length} 处` : ''}）。` };
}
