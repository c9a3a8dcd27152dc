// Fingerprints of an analysis, one per finding: the exact-match key, codes, entities and a
// weighted bag of line templates. Normalised so that what means the same compares equal:
// ControlSet001 ≡ CurrentControlSet, case, hex width, 0x00000005 ≡ 5; machine-specific GUIDs
// dropped, well-known BCD ids kept.

import type { Knowledge, Rule } from '../analyze/knowledge';
import type { Analysis, Attempt, Finding } from '../types';
import { mineTemplates } from './templates';
import { codeToken, codesIn, win32Error } from './tokens';
import type { FindingFingerprint } from './types';

/** BCD's well-known object ids: the same on every machine, so they tell one failure from another. */
const WELL_KNOWN_GUIDS = new Set([
  '9dea862c-5cdd-4e70-acc1-f32b344d4795', // {bootmgr}
  'fa926493-6f1c-4193-a414-58f0b2456d1e', // {current}
  'b2721d73-1db4-4c62-bf78-c548a880142d', // {memdiag}
  '466f5a88-0af2-4f76-9038-095b170dc21c', // {ntldr}
  '7ea2e1ac-2e61-4728-aaa3-896d9d0a9f0e', // {globalsettings}
  '1afa9c49-16ab-4a5c-901b-212802da9460', // {resumeloadersettings}
  '4636856e-540f-4170-a130-a84776f4c654', // {dbgsettings}
  '0ce4991b-e6b3-4b16-b23c-5e0d9250e5d9', // {emssettings}
  '5189b25c-5558-4bf2-bca4-289b11bd29e2', // {badmemory}
  '6efb52bf-1766-41db-a6b3-0ee5eff72bd7', // {bootloadersettings}
  '7ff607e0-4395-11db-b0de-0800200c9a66', // {hypervisorsettings}
  'ae5534e0-a924-466c-b836-758539a3ee3a', // {ramdiskoptions}
]);
const GUID = /\{?([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\}?/gi;
const ENTITY_FACTS = [
  'service',
  'driver',
  'driverFile',
  'driverInf',
  'inf',
  'app',
  'appId',
  'product',
  'plugin',
  'pluginName',
  'packageName',
  'module',
  'installer',
  'providerName',
  'providerFile',
];

export interface FingerprintOptions {
  /** Templates seen in successful runs: they say nothing about a failure. */
  normalTemplates?: ReadonlySet<string>;
}

export function fingerprintAnalysis(
  analysis: Analysis,
  knowledge: Pick<Knowledge, 'rules'>,
  options: FingerprintOptions = {},
): FindingFingerprint[] {
  const attempt = [...analysis.attempts].reverse().find((a) => a.resultCode !== null) ?? null;
  const findings = telling(analysis, knowledge);
  if (findings.length > 0) {
    return findings.map((f) => fingerprintFinding(f, knowledge.rules.find((r) => r.id === f.rule) ?? null, attempt, options));
  }
  // No rule explained the failure: its outcome (result and extend code, phase, a cancelled or
  // unfinished run), the lines that state it and its error lines are the fingerprint.
  const outcome = analysis.outcome;
  const lines = [...analysis.errorLines, ...(outcome?.decisive ?? []), ...(outcome?.evidence ?? [])].map((e) => e.text);
  const codes = unique([...outcomeCodes(analysis), ...attemptCodes(attempt), ...lines.flatMap(lineCodes)]);
  if (lines.length === 0 && !outcome?.resultCode && analysis.verdict !== 'cancelled' && analysis.verdict !== 'incomplete') return [];
  return [
    { rule: null, key: null, title: outcomeTitle(analysis), codes, entities: [], templates: templateBag(lines, options.normalTemplates) },
  ];
}

/**
 * The findings that tell this failure from others, one fingerprint each: the specific rules'
 * where any fired. A generic profile (a fallback rule) restates the run's outcome with the lines
 * every failed run writes (SetupHost's report, the rollback); beside a specific rule it adds only
 * that boilerplate, which would make unrelated failures alike.
 */
export function telling(analysis: Analysis, knowledge: Pick<Knowledge, 'rules'>): Finding[] {
  const specific = analysis.findings.filter((f) => !restatesOutcome(f, knowledge.rules.find((r) => r.id === f.rule) ?? null));
  return specific.length > 0 ? specific : analysis.findings;
}

/**
 * Whether a finding says no more than the run's outcome: a generic profile (a fallback rule); a
 * rule whose cause signals did not match, so only its outcome signals (result and extend code,
 * phase) prove it, which the analyzer marks 只凭结果代码推断; or a rule that names the facts
 * identifying its failure (the stop code of a bug check) when none of them was found. Its key is
 * not a cause's signature.
 */
function restatesOutcome(finding: Finding, rule: Pick<Rule, 'fallback' | 'key'> | null): boolean {
  const unidentified = (rule?.key.length ?? 0) > 0 && rule!.key.every((name) => !finding.facts[name]);
  return rule?.fallback === true || finding.basis === 'outcome' || unidentified;
}

/** The outcome of a run no rule explained, as codes: `verdict:cancelled`, `pair:c1900101-20017`, `extend:safe_os/boot`. */
function outcomeCodes(analysis: Analysis): string[] {
  const o = analysis.outcome;
  return [
    `verdict:${analysis.verdict}`,
    ...(o ? resultTerms(o) : []),
    ...(o?.phase ? [`phase:${o.phase.toLowerCase()}`] : []),
    ...(o?.operation ? [`op:${o.operation.toLowerCase()}`] : []),
    ...(o?.lastStep ? [`laststep:${o.lastStep.toLowerCase()}`] : []),
  ];
}

function outcomeTitle(analysis: Analysis): string {
  const o = analysis.outcome;
  if (analysis.verdict === 'cancelled') return '升级被取消（原因未识别）';
  if (analysis.verdict === 'incomplete') return `升级没有运行完${o?.lastStep ? `（停在 ${o.lastStep} 阶段）` : ''}（原因未识别）`;
  if (o?.resultCode)
    return `升级失败 ${o.resultCode}${o.extendCode ? ` - ${o.extendCode}` : ''}${o.extendPhase ? `（${o.extendPhase} 阶段）` : ''}（原因未识别）`;
  return '未识别的失败（错误日志）';
}

export function fingerprintFinding(
  finding: Finding,
  rule: Pick<Rule, 'key' | 'decode' | 'fallback'> | null,
  attempt: Attempt | null,
  options: FingerprintOptions = {},
): FindingFingerprint {
  const lines = finding.evidence.map((e) => e.text);
  return {
    rule: finding.rule,
    key: findingKey(finding, rule),
    title: finding.title,
    codes: unique([...factCodes(finding, rule), ...attemptCodes(attempt), ...lines.flatMap(lineCodes)]),
    entities: unique(
      ENTITY_FACTS.flatMap((name) =>
        finding.facts[name]
          ? [`${name === 'driverFile' || name === 'driverInf' || name === 'inf' ? 'driver' : name}:${entityName(finding.facts[name]!)}`]
          : [],
      ),
    ),
    templates: templateBag(lines, options.normalTemplates),
    ...(restatesOutcome(finding, rule) ? { generic: true } : {}),
  };
}

/**
 * Rule id plus key facts, decoded codes, named operations and the extend code (which tells a
 * SafeOS boot failure, 0x20017, from a second-boot one, 0x40017), each normalised.
 */
export function findingKey(finding: Finding, rule: Pick<Rule, 'key' | 'decode'> | null): string {
  const isExtend = (n: string) => /^extend(?:ed)?\d*$/.test(n);
  const names = new Set([
    ...(rule?.key ?? []),
    ...Object.keys(rule?.decode ?? {}),
    ...Object.keys(finding.facts).filter((n) => /.Operation$/.test(n) || isExtend(n)),
  ]);
  const parts = new Map<string, string>();
  for (const name of [...names].sort()) {
    const value = finding.facts[name];
    if (value === undefined || value === '') continue;
    const normal = rule?.decode[name] || isExtend(name) ? codeValue(value) : normaliseValue(value);
    // A pattern's alternatives (extended, extended2) name one fact.
    if (normal !== '') parts.set(isExtend(name) ? 'extended' : name.toLowerCase(), normal);
  }
  return [finding.rule, ...[...parts].map(([n, v]) => `${n}=${v}`)].join('|');
}

/** A fact value as it compares across machines. */
export function normaliseValue(value: string): string {
  return (
    value
      .normalize('NFKC')
      .toLowerCase()
      .replace(GUID, (_m, id: string) => (WELL_KNOWN_GUIDS.has(id) ? `{${id}}` : ''))
      .replace(/\bhkey_local_machine\b/g, 'hklm')
      .replace(/\bcontrolset\d{3}\b/g, 'currentcontrolset')
      // The registry value in brackets ([DisplayName], [ImagePath]) is the same key failing.
      .replace(/\s*\[[^\]]*\]\s*$/, '')
      .replace(/\\users\\[^\\]+\\/g, '\\users\\*\\')
      .replace(/(^|[\s"'])(?:\\\\\?\\|\\\?\?\\)?[a-z]:\\/g, '$1\\')
      .replace(/\b0x0*([0-9a-f]+)\b/g, (_m, hex: string) => codeToken(parseInt(hex, 16)))
      .replace(/\s+/g, ' ')
      .trim()
  );
}

function codeValue(value: string): string {
  const v = value.trim();
  if (/^\d+$/.test(v)) return codeToken(Number(v));
  if (/^(?:0x)?[0-9a-f]{1,8}$/i.test(v)) return codeToken(parseInt(v.replace(/^0x/i, ''), 16));
  return normaliseValue(v);
}

function factCodes(finding: Finding, rule: Pick<Rule, 'key' | 'decode'> | null): string[] {
  const out: string[] = [];
  for (const name of Object.keys(rule?.decode ?? {})) {
    const value = finding.facts[name];
    if (!value) continue;
    const code = codeValue(value);
    out.push(code, ...errorTerm(code));
  }
  // Where a keyed object lives (its folder or registry key): services under one key fail alike,
  // a folder of the Start menu fails for another reason, though both are access denied.
  for (const name of rule?.key ?? []) {
    const value = finding.facts[name];
    const parent = value?.includes('\\') ? normaliseValue(value).replace(/\\[^\\]*$/, '') : '';
    if (parent !== '') out.push(`at:${parent}`);
  }
  if (finding.facts.phase) out.push(`phase:${finding.facts.phase.toLowerCase()}`);
  if (finding.facts.operation) out.push(`op:${finding.facts.operation.toLowerCase().trim()}`);
  return out.filter((c) => c !== '');
}

/**
 * The error an operation failed with, under setup's wrapper: 0xC1900101 - 0x4000D says only that
 * migration failed and was rolled back; 0x80070005 (access denied) or 0x800700B7 (already exists)
 * beneath it tells the failures apart. `err:x00000005`, a Win32 error in an HRESULT unwrapped.
 */
function errorTerm(code: string): string[] {
  const m = /^x([0-9a-f]{8})$/.exec(code);
  if (!m || /^c19/.test(m[1]!) || /^0+$/.test(m[1]!)) return [];
  return [`err:${codeToken(win32Error(parseInt(m[1]!, 16)))}`];
}

function attemptCodes(attempt: Attempt | null): string[] {
  if (!attempt) return [];
  const out: string[] = [];
  out.push(...resultTerms(attempt));
  if (attempt.phase) out.push(`phase:${attempt.phase.toLowerCase()}`);
  if (attempt.operation) out.push(`op:${attempt.operation.toLowerCase()}`);
  return out;
}

type ResultFields = Pick<Attempt, 'resultCode' | 'extendCode' | 'extendPhase' | 'extendOperation'>;

/**
 * Setup's result as terms: `pair:c1900101-20017` and `extend:safe_os/boot`. A zero result code is
 * no result and an UNKNOWN phase no phase: as terms they would make unrelated runs agree.
 */
function resultTerms(r: ResultFields): string[] {
  const bare = (code: string) => code.toLowerCase().replace(/^0x0*/, '');
  const result = r.resultCode ? bare(r.resultCode) : '';
  const phase = (r.extendPhase ?? '').toLowerCase();
  return [
    ...(result !== '' ? [`pair:${result}-${r.extendCode ? bare(r.extendCode) : ''}`] : []),
    ...(phase !== '' && phase !== 'unknown' ? [`extend:${phase}/${(r.extendOperation ?? '').toLowerCase()}`] : []),
  ];
}

/** Codes in a log line and the component that wrote it (IBSLIB, MIG, SP…). */
function lineCodes(line: string): string[] {
  const component = /^\s*\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2},\s+\w+(?: Error)?\s+(?:\[0x[0-9a-f]+\]\s+)?([A-Z][A-Za-z0-9]+)\s/.exec(
    line,
  )?.[1];
  return [...codesIn(line), ...(component ? [`comp:${component.toLowerCase()}`] : [])];
}

function entityName(value: string): string {
  // Driver files and INFs name the same driver: ensec64.sys ≡ ensec64; a product keeps its short name.
  return value
    .normalize('NFKC')
    .toLowerCase()
    .replace(/^.*\\/, '')
    .replace(/\.(sys|inf|dll|exe)$/, '')
    .replace(/[（(].*$/, '')
    .trim();
}

function templateBag(lines: string[], normal: ReadonlySet<string> | undefined): Record<string, number> {
  const bag: Record<string, number> = {};
  for (const t of mineTemplates(lines)) {
    if (normal?.has(t.template)) continue;
    bag[t.template] = 1 + Math.log(t.count);
  }
  return bag;
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
