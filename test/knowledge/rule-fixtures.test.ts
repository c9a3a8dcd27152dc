import path from 'node:path';
import { readKnowledge } from '../../src/knowledge/load';
import { runRuleFixtures } from '../../src/knowledge/run-fixtures';

const loaded = readKnowledge(path.join(__dirname, '../../knowledge'));

test('the knowledge files are valid', () => {
  expect(loaded.issues).toEqual([]);
});

describe.each(runRuleFixtures(loaded.knowledge, loaded.ruleDirs).map((r) => [`${r.rule} / ${r.fixture}`, r] as const))(
  '%s',
  (_name, result) => {
    test('matches its expect.yaml', () => {
      expect(result.failures).toEqual([]);
    });
  },
);
