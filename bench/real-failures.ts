// npm run eval: the analyzer's score on the real-failure corpora, case by case: the development
// set (tuned against) and the held-out set (never tuned on), reported apart.

import path from 'node:path';
import { projectRoot } from '../src/config/paths';
import { loadKnowledge } from '../src/knowledge/load';
import { evaluateCase, loadCorpus } from '../test/helpers/real-failure-eval';

async function main(): Promise<void> {
  const root = projectRoot();
  const knowledge = loadKnowledge(path.join(root, 'knowledge'));
  for (const folder of ['real-failures', 'real-failures-holdout']) {
    const dir = path.join(root, 'test', 'fixtures', folder);
    const { cases, knownMisses } = loadCorpus(dir);
    let right = 0;
    for (const name of cases) {
      const { analysis, checks } = await evaluateCase(path.join(dir, name), knowledge);
      const wrong = checks.filter((c) => !c.ok);
      if (wrong.length === 0) right++;
      const o = analysis.outcome;
      const codes = o?.resultCode ? `${o.resultCode}${o.extendCode ? `-${o.extendCode}` : ''}` : '-';
      const findings = analysis.findings.map((f) => `${f.rule}/${f.confidence}`).join(', ') || 'no finding';
      console.log(
        `${wrong.length === 0 ? 'right' : 'MISS '} ${name}: ${analysis.verdict} ${codes} [${findings}]${knownMisses.has(name) ? ' (known miss)' : ''}`,
      );
      for (const c of wrong) console.log(`        ✗ ${c.name}: ${c.detail}`);
    }
    console.log(`${folder}: ${right} of ${cases.length} right\n`);
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
