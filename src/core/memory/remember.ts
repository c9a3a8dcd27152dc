// What casebot remembers of a closed case: each distinct finding with the advice that was
// actually sent and its own outcome. The outcome belongs to the finding, not to the case: in
// the seed case the Ensec64 advice was given, but the closure says deleting the BCD entry made
// the upgrade succeed, so only the BCD finding is a confirmed fix and Ensec64 stays unknown.

import type { Knowledge } from '../analyze/knowledge';
import type { Analysis, Finding } from '../types';
import { fingerprintAnalysis, normaliseValue, telling, type FingerprintOptions } from './fingerprint';
import { withoutSignature } from '../mail/signature';
import { searchTokens, type CodeSynonyms } from './tokens';
import type { FindingFingerprint, Outcome, RememberedCase, RememberedFinding } from './types';

export interface CaseThread {
  caseId: string;
  subject: string;
  closedAt: string;
  /** The customer's own words in their first mail. */
  problem: string;
  /** Every analysis of the case's bundles, oldest first. */
  analyses: Analysis[];
  /** The engineers' replies as they went out (own text, quotes stripped). */
  sentTexts: string[];
  /** 问题总结: from `/close <总结>` or the closure mail. */
  summary: string | null;
  /** The customer wrote that the upgrade now works. */
  customerConfirmed: boolean;
  /** `/fixed-by` arguments, oldest first: the engineer's word beats the summary. */
  fixedBy: string[];
}

const NO_FIX = /未解决|无法解决|没有解决|不能解决|未能解决|放弃|重装系统|重新安装系统|无解/;
const WORKAROUND = /规避|绕过|变通|临时方案|暂时跳过|workaround/i;
const SUCCESS = /(?:升级|安装)(?:系统)?(?:已经|已)?成功|已成功|问题(?:已)?解决/;

export function rememberCase(
  thread: CaseThread,
  knowledge: Pick<Knowledge, 'rules'>,
  synonyms: CodeSynonyms,
  options: FingerprintOptions = {},
): RememberedCase {
  const distinct = distinctFindings(thread.analyses, knowledge, options);
  const fixIndex = fixedFinding(thread, distinct);
  const summary = thread.summary ?? '';
  const summaryClass: Outcome = NO_FIX.test(summary) ? 'no_fix' : WORKAROUND.test(summary) ? 'workaround' : 'fixed_unconfirmed';
  const confirmed = thread.customerConfirmed || SUCCESS.test(summary);
  const sent = thread.sentTexts.map(squash).join('\n');

  const findings: RememberedFinding[] = distinct.map(({ finding, fingerprint }, i) => {
    const adviceGiven =
      finding !== null && (finding.actions.some((a) => sent.includes(squash(a))) || identifiers(finding).some((id) => sent.includes(id)));
    let outcome: Outcome = 'unknown';
    if (i === fixIndex) outcome = summaryClass === 'fixed_unconfirmed' && confirmed ? 'fixed_confirmed' : summaryClass;
    else if (summaryClass === 'no_fix' && adviceGiven) outcome = 'no_fix';
    return { ...fingerprint, advice: adviceGiven && finding ? finding.actions : [], adviceGiven, outcome };
  });
  const text = [
    withoutSignature(thread.problem),
    ...distinct.flatMap(({ finding, fingerprint }) =>
      finding
        ? [finding.title, finding.summary, ...finding.fix.map((s) => s.text)]
        : [fingerprint.title, ...Object.keys(fingerprint.templates)],
    ),
    // A generic profile is left out of the fingerprints, but its words (回退, 第一次启动) are how
    // customers describe the failure too.
    ...new Set(
      thread.analyses.flatMap((a) => a.findings.filter((f) => !distinct.some((d) => d.finding === f)).flatMap((f) => [f.title, f.summary])),
    ),
    thread.summary ?? '',
  ].join('\n');
  return {
    caseId: thread.caseId,
    subject: thread.subject,
    closedAt: thread.closedAt,
    problem: thread.problem,
    fixText: thread.summary,
    findings,
    textTokens: searchTokens(text, synonyms),
  };
}

/** The findings of all analyses, each failure once (by key), in the order first seen. */
export function distinctFindings(
  analyses: Analysis[],
  knowledge: Pick<Knowledge, 'rules'>,
  options: FingerprintOptions = {},
): { finding: Finding | null; fingerprint: FindingFingerprint }[] {
  const byKey = new Map<string, { finding: Finding | null; fingerprint: FindingFingerprint }>();
  for (const analysis of analyses) {
    const prints = fingerprintAnalysis(analysis, knowledge, options);
    const findings = telling(analysis, knowledge);
    prints.forEach((fingerprint, i) => {
      const finding = findings[i] ?? null;
      byKey.set(fingerprint.key ?? `errors:${Object.keys(fingerprint.templates).sort().join('\n')}`, { finding, fingerprint });
    });
  }
  return [...byKey.values()];
}

/**
 * Which finding the fix solved: the engineer's `/fixed-by` (a number, a rule id or a name in the
 * finding's key), else the finding the 问题总结 names (its resolution sentence, its service,
 * product or GUID), else the one whose fix text shares the most of the summary's words, else the
 * only one there is.
 */
export function fixedFinding(
  thread: Pick<CaseThread, 'summary' | 'fixedBy'>,
  findings: { finding: Finding | null; fingerprint: FindingFingerprint }[],
): number {
  for (const arg of [...thread.fixedBy].reverse()) {
    const i = findingByName(
      arg,
      findings.map((f) => f.fingerprint),
    );
    if (i >= 0) return i;
  }
  const summary = thread.summary ? squash(thread.summary) : '';
  if (summary === '' || findings.length === 0) return -1;
  const plain = (s: string) => squash(s).replace(/[\s。，,.、；;：:！!]/g, '');
  const exact = findings.findIndex(({ finding }) => finding !== null && plain(finding.resolution) === plain(summary));
  if (exact >= 0) return exact;
  const named = findings.findIndex(({ finding }) => finding !== null && identifiers(finding).some((id) => summary.includes(id)));
  if (named >= 0) return named;
  let best = -1;
  let bestOverlap = 0.3;
  findings.forEach(({ finding }, i) => {
    if (!finding) return;
    const overlap = bigramOverlap(summary, [finding.resolution, finding.title, ...finding.fix.map((s) => s.text)].join(' '));
    if (overlap > bestOverlap) [best, bestOverlap] = [i, overlap];
  });
  // The only failure the logs showed is the one the closure's fix solved, in whatever words; so
  // is a run known only by generic profiles, each restating the same outcome (the first speaks).
  const oneFailure = findings.length === 1 || findings.every(({ fingerprint }) => fingerprint.generic);
  return best < 0 && oneFailure ? 0 : best;
}

/** A finding named by an engineer: `2` (its number), `bcd-clone-failure`, `ensec64`. */
export function findingByName(name: string, findings: FindingFingerprint[]): number {
  const arg = name.trim().toLowerCase();
  if (/^\d+$/.test(arg)) {
    const i = Number(arg) - 1;
    return i >= 0 && i < findings.length ? i : -1;
  }
  const byRule = findings.findIndex((f) => f.rule === arg);
  if (byRule >= 0) return byRule;
  const normal = normaliseValue(arg);
  return normal === '' ? -1 : findings.findIndex((f) => (f.key ?? '').includes(normal) || f.entities.some((e) => e.endsWith(`:${normal}`)));
}

/** Names that identify a finding in a mail: its service, product, key name, driver, GUID. */
function identifiers(finding: Finding): string[] {
  const names = ['service', 'keyName', 'driver', 'guid', 'plugin', 'app', 'object', 'registryKey', 'wimFile']
    .map((n) => finding.facts[n])
    .filter((v): v is string => Boolean(v));
  if (finding.facts.product) names.push(finding.facts.product.replace(/[（(].*$/, ''));
  return names.map(squash).filter((v) => v.length >= 4);
}

function squash(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();
}

function bigramOverlap(summary: string, text: string): number {
  const grams = (s: string) => {
    const chars = [...s.replace(/\s+/g, '')];
    return new Set(chars.slice(0, -1).map((c, i) => c + chars[i + 1]));
  };
  const a = grams(summary);
  const b = grams(text);
  if (a.size === 0) return 0;
  let shared = 0;
  for (const g of a) if (b.has(g)) shared++;
  return shared / a.size;
}
