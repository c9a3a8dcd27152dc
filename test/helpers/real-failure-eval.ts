// Scores the analyzer on a corpus of real failure logs whose expected answers were written
// before casebot ever ran on them (test/fixtures/real-failures*/<case>/expect.yaml).

import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { analyzeBundle } from '../../src/core/analyze/analyze-bundle';
import { parseCode } from '../../src/core/analyze/decode-code';
import type { Knowledge } from '../../src/core/analyze/knowledge';
import type { Analysis } from '../../src/core/types';
import { readFolder } from '../../src/knowledge/log-files';

export interface RealFailureExpect {
  verdict: string;
  resultCode: string | null;
  extendCode: string | null;
  causeEvidence: 'strong' | 'weak' | 'none';
  mustMention: string[];
}

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

/** The case folders of a corpus, and the known misses recorded beside them (case → reason). */
export function loadCorpus(dir: string): { cases: string[]; knownMisses: Map<string, string> } {
  const cases = fs
    .readdirSync(dir)
    .filter((name) => fs.existsSync(path.join(dir, name, 'expect.yaml')))
    .sort();
  const missesFile = path.join(dir, 'known-misses.yaml');
  const misses = fs.existsSync(missesFile)
    ? ((YAML.parse(fs.readFileSync(missesFile, 'utf8')) as Record<string, string> | null) ?? {})
    : {};
  return { cases, knownMisses: new Map(Object.entries(misses)) };
}

export async function evaluateCase(caseDir: string, knowledge: Knowledge): Promise<{ analysis: Analysis; checks: Check[] }> {
  const expected = YAML.parse(fs.readFileSync(path.join(caseDir, 'expect.yaml'), 'utf8')) as RealFailureExpect;
  const analysis = await analyzeBundle(readFolder(caseDir, ['expect.yaml']), knowledge);
  const checks: Check[] = [
    { name: 'verdict', ok: analysis.verdict === expected.verdict, detail: `expected ${expected.verdict}, got ${analysis.verdict}` },
  ];
  const sameCode = (want: string, got: string | null | undefined) => got != null && parseCode(got) === parseCode(want);
  if (expected.resultCode) {
    // A failed upgrade leads with its result; a log of something else (sysprep) names its code in the finding.
    const got = analysis.outcome?.resultCode;
    const inFindings =
      analysis.verdict !== 'failed' && analysis.findings.some((f) => Object.values(f.facts).some((v) => sameCode(expected.resultCode!, v)));
    checks.push({
      name: 'result code',
      ok: sameCode(expected.resultCode, got) || inFindings,
      detail: `expected ${expected.resultCode}, got ${got ?? 'none'}`,
    });
  }
  if (expected.extendCode) {
    const got = analysis.outcome?.extendCode;
    checks.push({
      name: 'extend code',
      ok: sameCode(expected.extendCode, got),
      detail: `expected ${expected.extendCode}, got ${got ?? 'none'}`,
    });
  }
  const said = diagnosisText(analysis).toLowerCase();
  for (const word of expected.mustMention ?? []) {
    checks.push({
      name: `mentions ${word}`,
      ok: said.includes(word.toLowerCase()),
      detail: `"${word}" is not in the outcome, findings or error lines`,
    });
  }
  if (expected.causeEvidence !== 'strong') {
    const sure = analysis.findings.filter((f) => f.confidence === 'high').map((f) => f.rule);
    checks.push({ name: 'no high confidence on weak evidence', ok: sure.length === 0, detail: `high confidence from ${sure.join(', ')}` });
  }
  return { analysis, checks };
}

/** Everything the engineer and the draft see of a diagnosis. */
function diagnosisText(a: Analysis): string {
  const o = a.outcome;
  const parts = [
    ...(o
      ? [
          o.resultCode,
          o.extendCode,
          o.extendPhase,
          o.extendOperation,
          o.phase,
          o.operation,
          ...o.evidence.map((e) => e.text),
          ...o.decisive.map((e) => e.text),
        ]
      : []),
    ...a.findings.flatMap((f) => [f.title, f.summary, ...Object.values(f.facts), ...f.evidence.map((e) => e.text)]),
    ...a.errorLines.map((e) => e.text),
  ];
  return parts.filter((p): p is string => typeof p === 'string').join('\n');
}
