// Runs one analysis in a fresh process and prints its time and peak RSS as JSON, so the bench
// measures casebot alone (no bench bookkeeping in the heap).

import path from 'node:path';
import { ArchiveBundleReader } from '../src/adapters/bundle/archive-bundle-reader';
import { projectRoot } from '../src/config/paths';
import { analyzeBundle } from '../src/core/analyze/analyze-bundle';
import { DEFAULT_BUNDLE_LIMITS } from '../src/core/limits';
import { loadKnowledge } from '../src/knowledge/load';
import { readFolder } from '../src/knowledge/log-files';

async function main(target: string): Promise<void> {
  const knowledge = loadKnowledge(path.join(projectRoot(), 'knowledge'));
  const started = process.hrtime.bigint();
  const files = target.endsWith('.zip')
    ? (await new ArchiveBundleReader(DEFAULT_BUNDLE_LIMITS).readFile(target, path.basename(target))).files
    : readFolder(target);
  const analysis = await analyzeBundle(files, knowledge);
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  process.stdout.write(
    JSON.stringify({
      ms,
      maxRssMB: process.resourceUsage().maxRSS / 1024,
      verdict: analysis.verdict,
      findings: analysis.findings.map((f) => f.rule),
      lines: analysis.files.reduce((n, f) => n + f.lines, 0),
    }) + '\n',
  );
}

main(process.argv[2]!).catch((err) => {
  process.stderr.write(`${(err as Error).stack}\n`);
  process.exitCode = 1;
});
