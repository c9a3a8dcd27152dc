// What tells failures apart and what no rule explains. A SafeOS boot failure (0xC1900101 -
// 0x20017) and a second-boot one (- 0x40017) are different problems and must not be called the
// same; a cancelled run, known by its outcome alone, still finds the archive's cancelled runs.

import fs from 'node:fs';
import path from 'node:path';
import { analyzeBundle } from '../../src/core/analyze/analyze-bundle';
import { memoryQuery } from '../../src/core/memory/query';
import { rankSimilar, scoreCandidates } from '../../src/core/memory/rank';
import type { MemoryCandidate } from '../../src/core/memory/types';
import { similarCasesText } from '../../src/core/memory/note';
import { rememberCase } from '../../src/core/memory/remember';
import { codeSynonyms } from '../../src/core/memory/tokens';
import type { Analysis } from '../../src/core/types';
import { logFromBuffer } from '../../src/core/types';
import { SqliteCaseMemory } from '../../src/adapters/sqlite/memory-store';
import { SqliteCaseStore } from '../../src/adapters/sqlite/sqlite-store';
import { loadKnowledge } from '../../src/knowledge/load';
import { readFolder } from '../../src/knowledge/log-files';

const root = path.join(__dirname, '../..');
const knowledge = loadKnowledge(path.join(root, 'knowledge'));
const synonyms = codeSynonyms(knowledge);
const NOW = new Date('2024-06-01T00:00:00Z');
const rollback40017 = fs.readFileSync(
  path.join(root, 'knowledge/rules/boot-failure-detected/fixtures/hit-rollback-40017/Rollback/setupact.log'),
);

/** The real rollback log, its extend code set to `extend` (0x20017: SafeOS; 0x40017: second boot). */
const bootFailure = (extend: string) =>
  analyzeBundle(
    [logFromBuffer('Rollback/setupact.log', Buffer.from(rollback40017.toString('latin1').replace(/0x40017/g, extend), 'latin1'))],
    knowledge,
  );

function memoryOf(cases: { id: string; problem: string; analysis: Analysis; summary: string }[]) {
  const store = new SqliteCaseStore(':memory:');
  const memory = new SqliteCaseMemory(store.database);
  cases.forEach((c, i) =>
    memory.remember(
      rememberCase(
        {
          caseId: c.id,
          subject: `[案例号: ${c.id} ]`,
          closedAt: new Date(NOW.getTime() - (i + 1) * 86400000).toISOString(),
          problem: c.problem,
          analyses: [c.analysis],
          sentTexts: [],
          summary: c.summary,
          customerConfirmed: true,
          fixedBy: [],
        },
        knowledge,
        synonyms,
      ),
      NOW.toISOString(),
    ),
  );
  const lookup = (problem: string, analysis: Analysis) => {
    const q = memoryQuery(problem, analysis, knowledge, synonyms);
    const { candidates, stats } = memory.candidates(q, 100);
    return rankSimilar(q, candidates, stats, NOW);
  };
  return { lookup, close: () => store.close() };
}

test('0x20017 and 0x40017 are not the same problem: the SafeOS case comes first and only it is called the same', async () => {
  const [safeOs, secondBoot] = [await bootFailure('0x20017'), await bootFailure('0x40017')];
  const memory = memoryOf([
    {
      id: 'CAS-00001-AAAAA1',
      problem: '终端升级第二次重启后回退。',
      analysis: secondBoot,
      summary: '卸载杀毒软件的过滤驱动后，升级系统成功。',
    },
    { id: 'CAS-00002-AAAAA2', problem: '升级重启后回退到原系统。', analysis: secondBoot, summary: '更新加密软件驱动后，升级系统成功。' },
    { id: 'CAS-00003-AAAAA3', problem: '升级重启进入安装环境后回退。', analysis: safeOs, summary: '暂时解密磁盘后，升级系统成功。' },
  ]);
  try {
    const found = memory.lookup('升级重启后回退了。', safeOs);
    expect(found[0]!.caseId).toBe('CAS-00003-AAAAA3');
    expect(found.filter((r) => r.exact).map((r) => r.caseId)).toEqual(['CAS-00003-AAAAA3']);
    const text = similarCasesText(found);
    expect(text).toContain('CAS-00003-AAAAA3（2024-05-29 结案）—— 同一问题（签名相同）');
    for (const other of found.filter((r) => r.caseId !== 'CAS-00003-AAAAA3')) {
      expect(text).toMatch(new RegExp(`${other.caseId}（[^）]+）—— 相似度 [0-9.]+，相同错误码 0xC1900101，阶段不同：SAFE_OS / OOBE_BOOT`));
    }
  } finally {
    memory.close();
  }
});

test('a cancelled run, known by its outcome alone, finds the archive’s cancelled runs and not the others', async () => {
  // The real Media Creation Tool log of a user who cancelled (test/fixtures/real-logs/mct-usercancel).
  const cancelled = await analyzeBundle(readFolder(path.join(root, 'test/fixtures/real-logs/mct-usercancel')), knowledge);
  expect(cancelled.verdict).toBe('cancelled');
  expect(cancelled.findings.filter((f) => f.confidence !== 'low')).toEqual([]);
  const bcd = await analyzeBundle(readFolder(path.join(root, 'knowledge/rules/bcd-clone-failure/fixtures/hit-seed-bcd')), knowledge);
  const memory = memoryOf([
    {
      id: 'CAS-00011-BBBBB1',
      problem: '用户升级到一半自己点了取消。',
      analysis: cancelled,
      summary: '用户重新运行升级并等待完成，升级系统成功。',
    },
    { id: 'CAS-00012-BBBBB2', problem: '升级工具运行中被关闭了。', analysis: cancelled, summary: '重新运行升级工具后升级成功。' },
    { id: 'CAS-00013-BBBBB3', problem: '升级最后阶段报错回退。', analysis: bcd, summary: '删除出错的BCD配置信息后，升级系统成功。' },
  ]);
  try {
    const found = memory.lookup('升级没有完成。', cancelled);
    expect(
      found
        .map((r) => r.caseId)
        .slice(0, 2)
        .sort(),
    ).toEqual(['CAS-00011-BBBBB1', 'CAS-00012-BBBBB2']);
    expect(found.map((r) => r.caseId)).not.toContain('CAS-00013-BBBBB3');
  } finally {
    memory.close();
  }
});

test('a generic profile is not a different rule: a run no specific rule recognised is matched on its outcome codes', () => {
  const codes = ['pair:c190020e-4001e', 'phase:downlevel', 'x80070070'];
  const past: MemoryCandidate = {
    memory: {
      caseId: 'CAS-00001-DISKSP',
      subject: '[案例号: CAS-00001-DISKSP ]',
      closedAt: '2024-05-01T00:00:00Z',
      problem: '',
      fixText: null,
      findings: [
        {
          rule: 'disk-space-downlevel',
          key: 'disk-space-downlevel',
          title: '磁盘空间不足',
          codes,
          entities: [],
          templates: {},
          advice: [],
          adviceGiven: false,
          outcome: 'fixed_confirmed',
        },
      ],
    },
    textBm25: 0,
    useful: 0,
    notUseful: 0,
  };
  const stats = { cases: 10, docs: new Map<string, number>() };
  const query = (generic: boolean) => ({
    findings: [
      {
        rule: 'downlevel-failure-profile',
        key: 'downlevel-failure-profile',
        title: '下层阶段失败',
        codes,
        entities: [],
        templates: {},
        ...(generic ? { generic } : {}),
      },
    ],
    textTokens: [],
  });
  const [asGeneric] = scoreCandidates(query(true), [past], stats, NOW);
  const [asSpecific] = scoreCandidates(query(false), [past], stats, NOW);
  // The same codes: a full match from a generic profile, 0.6 of it between two specific rules.
  expect(asGeneric!.score).toBeGreaterThan(0.9);
  expect(asSpecific!.score).toBeCloseTo(asGeneric!.score * 0.6, 5);
});
