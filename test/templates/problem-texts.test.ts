// Every problem code has its sentence in templates/problems.yaml, each sentence reads the
// facts of its code and nothing else (a tool's own words, `detail`, never reach a customer),
// and problems stored before codes existed still read as they were written.

import path from 'node:path';
import { checkTemplateSources } from '../../src/core/draft/template-shapes';
import { compileTemplates, describeProblems } from '../../src/core/draft/templates';
import { PROBLEM_SAMPLES, problemCounts, storedProblems, type Problem, type ProblemCode } from '../../src/core/intake/problem';
import { readTemplateSources } from '../../src/knowledge/load-templates';

const shipped = readTemplateSources(path.join(__dirname, '../../templates'));
const describe = describeProblems(compileTemplates(shipped), { name: 'CDUC 平台', url: 'https://cduc.example' });
const samples = Object.entries(PROBLEM_SAMPLES).map(([code, fields]) => ({ code, ...fields }) as Problem);

test('the shipped problem sentences pass the check', () => {
  expect(checkTemplateSources(shipped).filter((p) => p.file.startsWith('problems.yaml'))).toEqual([]);
});

test.each(samples.map((p) => [p.code, p] as const))('%s reads as one finished Chinese sentence naming its facts', (_code, problem) => {
  const text = describe(problem);
  expect(text).toMatch(/[。）]$/);
  expect(text).not.toMatch(/undefined|null|\{\{|\[object/);
  if ('file' in problem && problem.code !== 'FILE_UNREADABLE' && problem.code !== 'EMPTY_LOG' && problem.code !== 'NOT_SETUP_LOG')
    expect(text).toContain(problem.file);
  if ('url' in problem) expect(text).toContain(problem.url);
  if ('entry' in problem && problem.entry) expect(text).toContain(problem.entry);
  if ('limit' in problem) expect(text).toContain(String(problem.limit));
});

test('a path inside the bundle is shown as Windows shows it; sizes in MB; the portal from the settings', () => {
  expect(describe({ code: 'EMPTY_LOG', file: 'Panther/setupact.log' })).toBe('Panther\\setupact.log 是空文件（0 字节），日志可能没有收集完整。');
  expect(describe({ code: 'FILE_TOO_LARGE', file: 'logs.zip', limitBytes: 512 * 1024 * 1024 })).toBe('附件 logs.zip 无法读取：文件超过 512 MB。');
  expect(describe({ code: 'UPLOAD_NOT_FOUND' })).toContain('您提到日志已上传到CDUC 平台');
});

test('a tool’s own words stay out of the sentence, though the problem carries them for the engineer', () => {
  const corrupt: Problem = { code: 'ARCHIVE_CORRUPT', file: 'logs.7z', format: '7z', detail: '7-Zip: ERROR: Headers Error' };
  expect(describe(corrupt)).toBe('附件 logs.7z 无法读取：压缩包已损坏或不是有效的压缩包。');
  const leaking = { ...shipped, problems: { ...shipped.problems, ARCHIVE_CORRUPT: '附件 {{file}} 无法读取（{{detail}}）。' } };
  expect(checkTemplateSources(leaking).map((p) => p.message)).toEqual(['unknown name "detail": the data here has no "detail"']);
});

test('a code without a sentence, or a sentence without a code, stops start-up', () => {
  const { ZIP_BOMB: _dropped, ...rest } = shipped.problems;
  const problems = checkTemplateSources({ ...shipped, problems: { ...rest, ZIP_BOMBE: '附件 {{file}}。' } }).map((p) => p.message);
  expect(problems).toEqual(['no sentence for problem code ZIP_BOMB', 'ZIP_BOMBE: no such problem code (src/core/intake/problem.ts)']);
});

test('problems stored as sentences (before codes) are read back as they were written, and counted apart', () => {
  const stored = storedProblems(['附件 logs.zip 无法读取。', { code: 'ENCRYPTED', file: 'a.zip', entry: null }, { code: 'ENCRYPTED', file: 'b.zip', entry: null }]);
  expect(describe(stored[0]!)).toBe('附件 logs.zip 无法读取。');
  expect(problemCounts(stored)).toEqual<{ code: ProblemCode; count: number }[]>([
    { code: 'ENCRYPTED', count: 2 },
    { code: 'LEGACY', count: 1 },
  ]);
  expect(storedProblems(null)).toEqual([]);
});
