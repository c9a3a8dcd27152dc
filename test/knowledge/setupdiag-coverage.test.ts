// Every rule SetupDiag has (test/fixtures/setupdiag/rules.txt, from the team's SetupDiag reference) has a rule of ours.

import fs from 'node:fs';
import path from 'node:path';
import { loadKnowledge } from '../../src/knowledge/load';

const reference = fs.readFileSync(path.join(__dirname, '../fixtures/setupdiag/rules.txt'), 'utf8');
const knowledge = loadKnowledge(path.join(__dirname, '../../knowledge'));
/** Not a failure profile: it is our verdict `succeeded`, from knowledge/outcomes.yaml. */
const AS_VERDICT = ['FindSuccessfulUpgrade'];

test('each SetupDiag rule in the reference has a rule here', () => {
  const names = reference.split('\n').filter((l) => /^[A-Za-z]+$/.test(l));
  expect(names.length).toBeGreaterThan(50);
  const covered = new Set(knowledge.rules.flatMap((r) => r.setupdiag));
  expect(names.filter((n) => !covered.has(n) && !AS_VERDICT.includes(n))).toEqual([]);
});
