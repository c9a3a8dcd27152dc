// The negative control: real Windows logs of runs that did not fail an upgrade. No rule may
// invent a failure in them; each must get the verdict test/fixtures/real-logs/README.md gives.

import fs from 'node:fs';
import path from 'node:path';
import { analyzeBundle } from '../../src/core/analyze/analyze-bundle';
import { loadKnowledge } from '../../src/knowledge/load';
import { readFolder } from '../../src/knowledge/log-files';

const realLogs = path.join(__dirname, '../fixtures/real-logs');
const knowledge = loadKnowledge(path.join(__dirname, '../../knowledge'));
const folders = fs.readdirSync(realLogs).filter((f) => fs.statSync(path.join(realLogs, f)).isDirectory());

test('the real logs are there', () => {
  expect(folders.length).toBeGreaterThanOrEqual(10);
});

/** The verdict test/fixtures/real-logs/README.md gives each folder (several where it allows them). */
const VERDICTS: Record<string, string[]> = {
  'mct-usercancel': ['cancelled'],
  '24h2-success-a': ['succeeded'],
  '24h2-success-b': ['succeeded', 'unknown'],
  '24h2-success-c': ['succeeded'],
  'winpe-cleaninstall-de': ['succeeded'],
  '24h2-reset': ['succeeded'],
  'winre-reset': ['not-upgrade'],
  'sysprep-generalize': ['not-upgrade'],
  'not-setup-wudf': ['not-setup-log'],
  'not-setup-audmig': ['not-setup-log'],
};

/** Findings that are true in these logs: what failed there, though no upgrade did. */
const TRUE_FINDINGS: Record<string, string[]> = {
  'sysprep-generalize': ['sysprep-plugin-failure'],
};

describe.each(folders)('%s', (folder) => {
  test('no rule invents a failure', async () => {
    const analysis = await analyzeBundle(readFolder(path.join(realLogs, folder)), knowledge);
    const allowed = TRUE_FINDINGS[folder] ?? [];
    const invented = analysis.findings.filter((f) => !allowed.includes(f.rule));
    expect(invented.map((f) => `${f.rule}: ${f.evidence[0]?.text ?? ''}`)).toEqual([]);
  });

  test('gets the verdict its README gives', async () => {
    const analysis = await analyzeBundle(readFolder(path.join(realLogs, folder)), knowledge);
    expect(VERDICTS[folder]).toContain(analysis.verdict);
    if (analysis.verdict === 'not-upgrade') expect(analysis.scenario).toBeTruthy();
  });
});
