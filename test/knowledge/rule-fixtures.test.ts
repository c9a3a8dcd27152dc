import path from 'node:path';
import { readKnowledge } from '../../src/knowledge/load';
import { checkFixture, listFixtures } from '../../src/knowledge/run-fixtures';

const loaded = readKnowledge(path.join(__dirname, '../../knowledge'));

test('the knowledge files are valid', () => {
  expect(loaded.issues).toEqual([]);
});

test.each(listFixtures(loaded.ruleDirs).map((f) => [`${f.rule} / ${f.fixture}`, f] as const))('%s matches its expect.yaml', async (_name, fixture) => {
  expect(await checkFixture(fixture, loaded.knowledge)).toEqual([]);
});
