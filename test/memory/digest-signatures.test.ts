// The digest's 相似/重复签名 section: open cases that showed the same failure signature this week.

import path from 'node:path';
import { SqliteCaseMemory } from '../../src/adapters/sqlite/memory-store';
import { SqliteCaseStore } from '../../src/adapters/sqlite/sqlite-store';
import { buildDigest } from '../../src/core/digest/build-digest';
import { compileDigest } from '../../src/core/digest/render-digest';
import { readTemplateSources } from '../../src/knowledge/load-templates';
import { compileTemplates, describeProblems } from '../../src/core/draft/templates';

test('open cases sharing a signature this week are listed; a closed one and an old sighting are not', () => {
  const store = new SqliteCaseStore(':memory:');
  const memory = new SqliteCaseMemory(store.database);
  const now = new Date('2024-05-10T01:00:00Z');
  const at = (days: number) => new Date(now.getTime() - days * 86400000).toISOString();
  for (const id of ['CAS-00001-AAAAAA', 'CAS-00002-BBBBBB', 'CAS-00003-CCCCCC', 'CAS-00004-DDDDDD']) {
    store.createCase(
      { caseId: id, subject: `[案例号: ${id} ] % 升级失败 %`, title: '升级失败', customer: null, engineer: 'weiliang@cmgos.com' },
      at(2),
    );
  }
  store.setCaseStatus('CAS-00003-CCCCCC', 'closed', at(1));
  const key = 'bcd-clone-failure|bcdoperation=enumerate source elements|status=xc0000024';
  for (const id of ['CAS-00001-AAAAAA', 'CAS-00002-BBBBBB', 'CAS-00003-CCCCCC']) memory.recordSignature(id, key, 'BCD 启动项损坏', at(1));
  memory.recordSignature('CAS-00004-DDDDDD', key, 'BCD 启动项损坏', at(30));
  const shared = memory.sharedSignatures(at(7));
  expect(shared).toEqual([{ key, title: 'BCD 启动项损坏', caseIds: ['CAS-00001-AAAAAA', 'CAS-00002-BBBBBB'] }]);

  const sources = readTemplateSources(path.join(__dirname, '../../templates'));
  const describe = describeProblems(compileTemplates(sources), { name: 'CDUC', url: 'https://cduc.example' });
  const view = buildDigest(store.digest.data(null, at(1), at(7)), now, { reminderDays: 3, staleDays: 14 }, 'team', describe, shared);
  const rendered = compileDigest(sources)(view);
  expect(rendered.text).toContain('本周 2 个未结案例同一签名：BCD 启动项损坏');
  expect(rendered.text).toContain('CAS-00001-AAAAAA、CAS-00002-BBBBBB');
  expect(rendered.html).toContain('相似/重复签名');
  store.close();
});
