// Proves each rule against the fixtures in its folder: `hit-*` must produce the findings in
// expect.yaml, `ok-*` must not produce the rule's finding. Used by `casebot rules test` and the tests.

import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { analyzeBundle } from '../core/analyze/analyze-bundle';
import type { Knowledge } from '../core/analyze/knowledge';
import type { Analysis } from '../core/types';
import { readFolder } from './log-files';
import { expectSchema, type ExpectData } from './schema';
import { zodMessages } from '../config/zod-messages';

export interface FixtureResult {
  rule: string;
  fixture: string;
  failures: string[];
}

export interface Fixture {
  rule: string;
  fixture: string;
  dir: string | null;
}

/** Every fixture of every rule; a rule without a hit- fixture is listed with dir null. */
export function listFixtures(ruleDirs: Map<string, string>): Fixture[] {
  const out: Fixture[] = [];
  for (const [rule, dir] of ruleDirs) {
    const fixturesDir = path.join(dir, 'fixtures');
    const names = fs.existsSync(fixturesDir) ? fs.readdirSync(fixturesDir).sort() : [];
    if (!names.some((f) => f.startsWith('hit-'))) out.push({ rule, fixture: '(none)', dir: null });
    for (const name of names) out.push({ rule, fixture: name, dir: path.join(fixturesDir, name) });
  }
  return out;
}

export async function runRuleFixtures(knowledge: Knowledge, ruleDirs: Map<string, string>): Promise<FixtureResult[]> {
  const results: FixtureResult[] = [];
  for (const f of listFixtures(ruleDirs)) results.push({ rule: f.rule, fixture: f.fixture, failures: await checkFixture(f, knowledge) });
  return results;
}

export async function checkFixture({ rule, dir }: Fixture, knowledge: Knowledge): Promise<string[]> {
  if (dir === null) return ['no hit-* fixture: nothing proves this rule fires'];
  const expectFile = path.join(dir, 'expect.yaml');
  if (!fs.existsSync(expectFile)) return ['missing expect.yaml'];
  const parsed = expectSchema.safeParse(YAML.parse(fs.readFileSync(expectFile, 'utf8')));
  if (!parsed.success) return zodMessages(parsed.error).map((m) => `expect.yaml ${m}`);
  const analysis = await analyzeBundle(readFolder(dir, ['expect.yaml']), knowledge);
  return compare(rule, path.basename(dir), parsed.data, analysis);
}

function compare(rule: string, fixture: string, expected: ExpectData, analysis: Analysis): string[] {
  const failures: string[] = [];
  if (analysis.verdict !== expected.verdict) failures.push(`verdict ${analysis.verdict}, expected ${expected.verdict}`);
  if (fixture.startsWith('ok-') && analysis.findings.some((f) => f.rule === rule)) {
    failures.push(`rule fired on an ok- fixture: ${analysis.findings.find((f) => f.rule === rule)?.title}`);
  }
  for (const want of expected.findings) {
    const candidates = analysis.findings.filter((f) => f.rule === want.rule);
    if (candidates.length === 0) {
      failures.push(`no finding of ${want.rule}`);
      continue;
    }
    const problems = candidates.map((got) => {
      const p: string[] = [];
      for (const [k, v] of Object.entries(want.facts)) {
        if (got.facts[k] !== v) p.push(`fact ${k} = ${JSON.stringify(got.facts[k])}, expected ${JSON.stringify(v)}`);
      }
      for (const e of want.evidenceLines) {
        if (!got.evidence.some((g) => g.file === e.file && g.line === e.line)) p.push(`no evidence at ${e.file}:${e.line}`);
      }
      for (const a of want.actions) if (!got.actions.includes(a)) p.push(`missing action ${a}`);
      return p;
    });
    const best = problems.reduce((a, b) => (b.length < a.length ? b : a));
    failures.push(...best.map((p) => `${want.rule}: ${p}`));
  }
  return failures;
}
