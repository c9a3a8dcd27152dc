// Templates are checked before they run: syntax, partials and every name they read, with
// file:line, all problems at once.

import path from 'node:path';
import { readTemplateSources } from '../../src/knowledge/load-templates';
import { checkTemplateSources } from '../../src/core/draft/template-shapes';

const shipped = readTemplateSources(path.join(__dirname, '../../templates'));

test('the shipped templates and partials read only what they are given', () => {
  expect(checkTemplateSources(shipped)).toEqual([]);
});

test('an unclosed block, a misspelt partial and a misspelt name are each reported with file and line, all at once', () => {
  const broken = {
    templates: {
      ...shipped.templates,
      diagnosis: shipped.templates.diagnosis!.replace('{{> hotline}}', '{{> hotlines}}'),
      closure: shipped.templates.closure!.replace('{{/if}}', ''),
    },
    partials: { ...shipped.partials, finding: shipped.partials.finding!.replace('{{summary}}', '{{sumary}}') },
    problems: shipped.problems,
  };
  const problems = checkTemplateSources(broken);
  const line = (name: string, needle: string) => broken.templates[name as 'diagnosis']!.split('\n').findIndex((l) => l.includes(needle)) + 1;
  expect(problems).toEqual(
    expect.arrayContaining([
      expect.objectContaining({ file: 'diagnosis.hbs', line: line('diagnosis', '{{> hotlines}}'), message: 'unknown partial "hotlines"' }),
      expect.objectContaining({ file: 'partials/finding.hbs', message: 'unknown name "sumary": the data here has no "sumary"' }),
      expect.objectContaining({ file: 'closure.hbs' }),
    ]),
  );
  expect(problems.find((p) => p.file === 'closure.hbs')!.message).toMatch(/doesn't match|Parse error|Expecting/);
});

test('names inside #each are looked up on the element, ../ on the parent', () => {
  const bad = { templates: { ...shipped.templates, diagnosis: '{{#each findings}}{{title}}{{../product}}{{titel}}{{/each}}' },
    partials: shipped.partials,
    problems: shipped.problems,
  };
  expect(checkTemplateSources(bad).map((p) => p.message)).toEqual(['unknown name "titel": the data here has no "titel"']);
});
