// `casebot analyze` on bundles it has never seen, built like the fixtures but with another
// service or GUID: the finding names them, with the line numbers where they really are.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { main } from '../../src/cli/main';
import { buildBundleZip, buildSetupactLog, type BundleSpec } from '../helpers/bundle-factory';

async function analyzeJson(spec: BundleSpec): Promise<{
  verdict: string;
  findings: { rule: string; facts: Record<string, string>; evidence: { file: string; line: number; text: string }[]; actions: string[] }[];
}> {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'casebot-analyze-')), 'CMGELogCollector_X.zip');
  fs.writeFileSync(file, await buildBundleZip(spec));
  const chunks: string[] = [];
  const write = jest.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => (chunks.push(String(c)), true));
  try {
    expect(await main(['node', 'casebot', 'analyze', file, '--json'])).toBe(0);
  } finally {
    write.mockRestore();
  }
  return JSON.parse(chunks.join(''));
}

test('another service behind the migration failure', async () => {
  const spec: BundleSpec = {
    failure: { kind: 'mig-registry', service: 'QaxSafeSvc', value: 'Start', error: 5 },
    hostname: 'BJ-PC0001',
    date: '2023-03-02',
    seed: 7,
  };
  const report = await analyzeJson(spec);
  const finding = report.findings.find((f) => f.rule === 'mig-apply-object')!;
  expect(report.verdict).toBe('failed');
  expect(finding.facts.service).toBe('QaxSafeSvc');
  expect(finding.facts.registryValue).toBe('Start');
  expect(finding.facts.product).toBeUndefined(); // not in the products table: no product invented
  expect(finding.actions).toContain('reg delete "HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\services\\QaxSafeSvc" /f');
  const { failureLines } = buildSetupactLog(spec);
  const setupact = finding.evidence.filter((e) => e.file === 'UpgradeLog\\C_Win_BT_Panther\\setupact.log');
  for (const line of failureLines.slice(0, 5)) expect(setupact.map((e) => e.line)).toContain(line);
  for (const e of setupact) expect(e.text).toContain('QaxSafeSvc');
});

test('another GUID behind the BCD failure', async () => {
  const guid = 'd41c9e07-5a2b-4c8d-9e1f-0a2b3c4d5e6f';
  const spec: BundleSpec = { failure: { kind: 'bcd-clone', guid }, hostname: 'SH-PC0042', date: '2023-05-11', seed: 11 };
  const report = await analyzeJson(spec);
  const finding = report.findings.find((f) => f.rule === 'bcd-clone-failure')!;
  expect(finding.facts.guid).toBe(`{${guid}}`);
  expect(finding.actions).toContain(`bcdedit /delete {${guid}}`);
  const { failureLines, text } = buildSetupactLog(spec);
  const copyLine = text.split('\r\n').findIndex((l) => l.includes('BcdCopyObjectEx')) + 1;
  expect(failureLines).toContain(copyLine);
  expect(finding.evidence).toContainEqual(expect.objectContaining({ file: 'UpgradeLog\\C_Win_BT_Panther\\setupact.log', line: copyLine }));
});

test('a bundle with no known failure says so and invents nothing', async () => {
  const report = await analyzeJson({ failure: { kind: 'none' }, seed: 3 });
  expect(report.findings).toEqual([]);
});
