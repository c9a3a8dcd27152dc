// An engineer's mistake in a rule file is reported with the file and the key, and the other
// rules still load.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readKnowledge } from '../../src/knowledge/load';

const real = path.join(__dirname, '../../knowledge');

function copyKnowledge(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'casebot-knowledge-'));
  fs.cpSync(real, dir, { recursive: true });
  return dir;
}

test('an unknown key and a rule without a fix are each named, and the rest still loads', () => {
  const dir = copyKnowledge();
  const bcd = path.join(dir, 'rules/bcd-clone-failure/rule.yaml');
  const text = fs.readFileSync(bcd, 'utf8');
  fs.writeFileSync(bcd, text.replace('level: high', 'level: high\nlevle: high'));
  fs.mkdirSync(path.join(dir, 'rules/broken-rule/fixtures'), { recursive: true });
  fs.writeFileSync(
    path.join(dir, 'rules/broken-rule/rule.yaml'),
    'id: broken-rule\nstatus: stable\nlevel: low\ncategory: boot\ntitle: t\nsummary: s\nresolution: r\nsignals:\n  - log: panther\n    anchor: "Something failed"\n    pattern: x\nfix: []\n',
  );
  const { issues, knowledge } = readKnowledge(dir);
  const messages = issues.map((i) => `${path.basename(path.dirname(i.file))}: ${i.message}`);
  expect(messages).toEqual(
    expect.arrayContaining([
      expect.stringMatching(/^bcd-clone-failure: \(top level\): Unrecognized key\(s\) in object: 'levle'/),
      expect.stringMatching(/^broken-rule: fix: every rule says how to fix what it finds/),
    ]),
  );
  expect(knowledge.rules.find((r) => r.id === 'mig-apply-object')).toBeDefined();
  expect(knowledge.rules.length).toBeGreaterThan(40);
});

test('an invalid regular expression is named by its key', () => {
  const dir = copyKnowledge();
  const bcd = path.join(dir, 'rules/bcd-clone-failure/rule.yaml');
  fs.writeFileSync(bcd, fs.readFileSync(bcd, 'utf8').replace("pattern: 'Failed to clone store'", "pattern: 'Failed to (clone store'"));
  const { issues } = readKnowledge(dir);
  expect(issues.map((i) => i.message)).toEqual([expect.stringMatching(/^signals\.1\.pattern: invalid regular expression/)]);
});
