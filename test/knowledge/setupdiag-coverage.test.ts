// Every rule SetupDiag has (as listed in the shared reference) has a rule of ours.

import fs from 'node:fs';
import path from 'node:path';
import { loadKnowledge } from '../../src/knowledge/load';

const reference = fs.readFileSync(path.join(__dirname, '../../../shared/reference/setupdiag-rules.md'), 'utf8');
const knowledge = loadKnowledge(path.join(__dirname, '../../knowledge'));
/** Not a failure profile: it is our verdict `succeeded`, from knowledge/outcomes.yaml. */
const AS_VERDICT = ['FindSuccessfulUpgrade'];

test('each SetupDiag rule in the reference has a rule here', () => {
  const names = [...new Set([...reference.matchAll(/\*\*([A-Za-z]+)\*\*/g)].map((m) => m[1]!))];
  expect(names.length).toBeGreaterThan(50);
  const covered = new Set(knowledge.rules.flatMap((r) => r.setupdiag));
  expect(names.filter((n) => !covered.has(n) && !AS_VERDICT.includes(n))).toEqual([]);
});
