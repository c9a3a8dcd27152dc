// A rule's texts are checked against the facts the rule can capture: `{{guidd}}` would render as
// nothing and drop the GUID from a customer's draft, so it is a load error with file and line.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readKnowledge } from '../../src/knowledge/load';

const knowledge = path.join(__dirname, '../../knowledge');

test('every shipped rule text reads only facts its rule captures', () => {
  expect(readKnowledge(knowledge).issues).toEqual([]);
});

test('a misspelt fact in a rule title is reported with its file, line and the facts there are', () => {
  const copy = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'casebot-knowledge-')), 'knowledge');
  fs.cpSync(knowledge, copy, { recursive: true });
  const file = path.join(copy, 'rules/bcd-clone-failure/rule.yaml');
  const source = fs.readFileSync(file, 'utf8');
  const titleLine = source.split('\n').findIndex((l) => l.startsWith('title:')) + 1;
  expect(source).toMatch(/^title: .*\{\{guid\}\}/m);
  fs.writeFileSync(file, source.replace(/^(title: .*)\{\{guid\}\}/m, '$1{{guidd}}'));
  const issues = readKnowledge(copy).issues;
  expect(issues).toHaveLength(1);
  expect(issues[0]!.file).toBe(`${path.relative(process.cwd(), file)}:${titleLine}`);
  expect(issues[0]!.message).toMatch(/^title: unknown name "guidd": the data here has no "guidd"; this rule's facts: .*\bguid\b/);
});
