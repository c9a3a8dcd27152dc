// What tells failures apart and what no rule explains. A SafeOS boot failure (0xC1900101 -
// 0x20017) and a second-boot one (- 0x40017) are different problems and must not be called the
// same; a cancelled run, known by its outcome alone, still finds the archive's cancelled runs.

import fs from 'node:fs';
import path from 'node:path';
import { analyzeBundle } from '../../src/core/analyze/analyze-bundle';
import { memoryQuery } from '../../src/core/memory/query';
import { MIN_CASES_FOR_WORDS, rankSimilar, scoreCandidates } from '../../src/core/memory/rank';
import type { MemoryCandidate } from '../../src/core/memory/types';
import { similarCasesText } from '../../src/core/memory/note';
import { rememberCase } from '../../src/core/memory/remember';
import { fingerprintAnalysis, fingerprintFinding } from '../../src/core/memory/fingerprint';
import { codeSynonyms, searchTokens } from '../../src/core/memory/tokens';
import type { Analysis, Finding } from '../../src/core/types';
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

// The real rollback log proves only the outcome (no driver named): boot-failure-detected restates it.
test('0x20017 and 0x40017 are not the same problem: the SafeOS case comes first, matched on its code, and none is called the same', async () => {
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
    expect(found.filter((r) => r.exact)).toEqual([]);
    const text = similarCasesText(found);
    expect(text).toMatch(/CAS-00003-AAAAA3（2024-05-29 结案）—— 相似度 [0-9.]+\n/);
    expect(text).toContain('匹配原因：相同代码 0xC1900101、0xC1900101 - 0x20017');
    expect(text).not.toContain('同一问题');
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

/** A remembered case with one finding, for scoring by hand. */
function candidate(caseId: string, finding: { rule: string | null; codes: string[]; generic?: boolean }): MemoryCandidate {
  return {
    memory: {
      caseId,
      subject: `[案例号: ${caseId} ]`,
      closedAt: '2024-05-01T00:00:00Z',
      problem: '',
      fixText: null,
      findings: [
        {
          key: finding.rule,
          title: '',
          entities: [],
          templates: {},
          advice: [],
          adviceGiven: false,
          outcome: 'fixed_confirmed',
          ...finding,
        },
      ],
    },
    textBm25: 0,
    useful: 0,
    notUseful: 0,
  };
}

test('where no specific rule speaks for both, another result code is another failure, however alike the lines', () => {
  const shared = ['phase:downlevel', 'comp:conx', 'x00000000'];
  const stats = { cases: 10, docs: new Map<string, number>() };
  const hardBlock = candidate('CAS-00001-HARDBL', {
    rule: 'compat-app-hard-block',
    codes: ['pair:c1900208-0', 'phase:downlevel', 'product:vbox'],
  });
  const language = candidate('CAS-00002-LANGUA', { rule: 'language-mismatch', codes: ['pair:c1900204-0', ...shared] });
  const sameCode = candidate('CAS-00003-SAMECO', { rule: 'language-mismatch', codes: ['pair:c1900208-0', ...shared] });
  const fingerprint = (rule: string | null, generic: boolean) => ({
    rule,
    key: null,
    title: '',
    codes: ['pair:c1900208-0', ...shared],
    entities: [],
    templates: {},
    ...(generic ? { generic } : {}),
  });
  // A hard block the analyzer recognised only by its generic profile: a generic profile says no
  // more than the outcome, so the archive's hard block (0xC1900208) matches in full and the
  // language mismatch (0xC1900204), whose lines are alike, not at all.
  const generic = { findings: [fingerprint('early-downlevel-error', true)], textTokens: [] };
  const ranked = scoreCandidates(generic, [language, hardBlock], stats, NOW);
  expect(ranked.map((r) => r.caseId)).toEqual(['CAS-00001-HARDBL', 'CAS-00002-LANGUA']);
  expect(ranked[0]!.exact).toBe(false);
  expect(ranked[1]!.score).toBe(0);
  // The error lines of a run no rule explained: three of four codes shared and one past-only
  // (3/5), then × 0.6 for the other result code; all four codes shared score 1 (before decay).
  const ruleless = { findings: [fingerprint(null, false)], textTokens: [] };
  const [other, same] = [scoreCandidates(ruleless, [language], stats, NOW)[0]!, scoreCandidates(ruleless, [sameCode], stats, NOW)[0]!];
  expect(other.score).toBeCloseTo(same.score * 0.6 * 0.6, 5);
});

test('a generic profile is never the same signature: its key is the outcome alone', () => {
  const key = 'setuphost-reported-failure|extended=x00030018|result=xc1900101';
  const past = candidate('CAS-00001-GENERI', { rule: 'setuphost-reported-failure', codes: ['pair:c1900101-30018'], generic: true });
  past.memory.findings[0]!.key = key;
  const query = {
    findings: [
      { rule: 'setuphost-reported-failure', key, title: '', codes: ['pair:c1900101-30018'], entities: [], templates: {}, generic: true },
    ],
    textTokens: [],
  };
  const [found] = scoreCandidates(query, [past], { cases: 10, docs: new Map<string, number>() }, NOW);
  expect(found!.exact).toBe(false);
  expect(found!.score).toBeGreaterThan(0.9);
});

test('without logs, the result code the customer quotes is compared by outcome alone: 0x20017 is not 0x40017', () => {
  const query = memoryQuery('升级重启后回退了，提示错误代码：0xC1900101 – 0x20017。', null, knowledge, synonyms);
  expect(query.findings).toEqual([expect.objectContaining({ described: true, codes: ['pair:c1900101-20017'] })]);
  const stats = { cases: 10, docs: new Map<string, number>() };
  const safeOs = candidate('CAS-00001-SAFEOS', { rule: null, codes: ['pair:c1900101-20017', 'phase:safe_os', 'x00000005'] });
  const secondBoot = candidate('CAS-00002-SECOND', { rule: null, codes: ['pair:c1900101-40017', 'phase:second_boot'] });
  const ranked = scoreCandidates(query, [secondBoot, safeOs], stats, NOW);
  expect(ranked.map((r) => r.caseId)).toEqual(['CAS-00001-SAFEOS', 'CAS-00002-SECOND']);
  expect(ranked[0]!.why.codes).toEqual(['pair:c1900101-20017']);
  expect(similarCasesText(ranked.slice(0, 1))).toContain('匹配原因：相同代码 0xC1900101 - 0x20017');
  expect(ranked[1]!.score).toBe(0);
  // The result code alone (no extend code quoted) matches both, half as strongly.
  const bare = memoryQuery('升级失败，错误 0xC1900101', null, knowledge, synonyms);
  const halves = scoreCandidates(bare, [secondBoot, safeOs], stats, NOW).map((r) => r.score);
  expect(halves[0]).toBeCloseTo(halves[1]!, 5);
  expect(halves[0]).toBeCloseTo(ranked[0]!.score / 2, 5);
  // Customers drop the 0x; then only setup's code families count.
  const codesOf = (text: string) => memoryQuery(text, null, knowledge, synonyms).findings.flatMap((f) => f.codes);
  expect(codesOf('提示代码C1900101-20017。')).toEqual(['pair:c1900101-20017']);
  expect(codesOf('错误代码是 c1900208')).toEqual(['pair:c1900208-']);
  expect(codesOf('报错0x80070005 - 0x4000D')).toEqual(['pair:80070005-4000d']);
  expect(codesOf('资产编号 DEADBEEF，序列号 A1B2C3D4')).toEqual([]);
  // As a signed decimal (event logs print it so); other negative numbers are not codes.
  expect(codesOf('事件查看器里是 -1047526908')).toEqual(['pair:c1900204-']);
  expect(codesOf('温度 -1000000000 度')).toEqual([]);
  // Every code named counts: the full pair a colleague remembered matches in full.
  expect(codesOf('报错是C1900101还是80070005我记不太清了，同事说是80070005-4000D。')).toEqual([
    'pair:c1900101-',
    'pair:80070005-',
    'pair:80070005-4000d',
  ]);
  // A code that is not setup's result code (a Win32 error) is left to the text.
  expect(memoryQuery('报错 0x5，拒绝访问', null, knowledge, synonyms).findings).toEqual([]);
});

test('words count only once enough cases are remembered to tell a rare word from a common one', () => {
  const query = memoryQuery('升级到最后阶段提示失败，重启后又回到了原来的系统。', null, knowledge, synonyms);
  expect(query.findings).toEqual([]);
  const wordsMatch = { ...candidate('CAS-00001-WORDS1', { rule: null, codes: ['pair:c1900101-20017'] }), textBm25: 5 };
  const docs = new Map(query.textTokens.map((t) => [t, 1]));
  const [few] = scoreCandidates(query, [wordsMatch], { cases: MIN_CASES_FOR_WORDS - 1, docs }, NOW);
  expect(few!.score).toBe(0);
  expect(few!.why.text).toBe(0);
  const [enough] = scoreCandidates(query, [wordsMatch], { cases: MIN_CASES_FOR_WORDS, docs }, NOW);
  expect(enough!.score).toBeGreaterThan(0);
  expect(enough!.why.text).toBeGreaterThan(0);
});

/** A migration write denied: mig-apply-object's finding for one object and error. */
function migrationDenial(object: string, error: string): Finding {
  return {
    rule: 'mig-apply-object',
    category: 'migration',
    title: '',
    summary: '',
    confidence: 'high',
    confidenceWhy: '',
    basis: 'cause',
    evidence: [],
    facts: { object, error },
    fix: [],
    actions: [],
    resolution: '',
  };
}

test('a rule that names what identifies its failure, found without it, is no signature: a bug check without its stop code', () => {
  const rule = knowledge.rules.find((r) => r.id === 'rollback-bugcheck')!;
  expect(rule.key).toEqual(['bugcheck']);
  const crash = (facts: Record<string, string>): Finding => ({
    ...migrationDenial('', ''),
    rule: 'rollback-bugcheck',
    category: 'crash',
    facts,
  });
  const unnamed = fingerprintFinding(crash({}), rule, null);
  expect(unnamed).toMatchObject({ key: 'rollback-bugcheck', generic: true });
  expect(fingerprintFinding(crash({ bugcheck: '0x0000007E' }), rule, null).generic).toBeUndefined();
  // Two crashes of unknown stop code are not called the same problem.
  const past = { ...candidate('CAS-00001-CRASH1', { rule: 'rollback-bugcheck', codes: [], generic: true }) };
  const [ranked] = scoreCandidates({ findings: [unnamed], textTokens: [] }, [past], { cases: 10, docs: new Map() }, NOW);
  expect(ranked!.exact).toBe(false);
  // Nor is one whose past twin was proven only by its outcome, whatever the query's basis.
  const [other] = scoreCandidates(
    { findings: [{ ...unnamed, generic: undefined }], textTokens: [] },
    [past],
    { cases: 10, docs: new Map() },
    NOW,
  );
  expect(other!.exact).toBe(false);
});

test('the error beneath setup\'s wrapper tells failures apart: access denied is not "already exists" under 0xC1900101 - 0x4000D', () => {
  // An outcome-only run: SetupHost's report with the SP operation's error (a generic profile).
  const query = {
    rule: 'setuphost-reported-failure',
    key: 'setuphost-reported-failure|extended=x0004000d|result=xc1900101|spresult=x80070005',
    title: '',
    codes: ['pair:c1900101-4000d', 'extend:oobe_boot/migrate_data', 'err:x00000005'],
    entities: [],
    templates: {},
    generic: true,
  };
  const stats = { cases: 10, docs: new Map<string, number>() };
  const denied = candidate('CAS-00001-DENIED', { rule: 'mig-apply-object', codes: ['pair:c1900101-4000d', 'x00000005', 'err:x00000005'] });
  const exists = candidate('CAS-00002-EXISTS', {
    rule: 'profile-creation-finalize-failure',
    codes: ['pair:c1900101-4000d', 'x800700b7', 'err:x000000b7'],
  });
  const unknown = candidate('CAS-00003-NOERRR', { rule: 'boot-failure-detected', codes: ['pair:c1900101-4000d'] });
  const ranked = scoreCandidates({ findings: [query], textTokens: [] }, [exists, unknown, denied], stats, NOW);
  const score = Object.fromEntries(ranked.map((r) => [r.caseId, r.score]));
  expect(score['CAS-00001-DENIED']).toBeGreaterThan(0);
  expect(score['CAS-00002-EXISTS']).toBe(0);
  // Where one side names no error, the outcome alone decides: the same as where both agree.
  expect(score['CAS-00003-NOERRR']).toBeCloseTo(score['CAS-00001-DENIED']!, 5);
  expect(ranked[2]!.caseId).toBe('CAS-00002-EXISTS');
  expect(similarCasesText([ranked[2]!])).toContain('相同错误码 0xC1900101 - 0x4000D，底层错误不同：0x00000005 / 0x000000B7');
  // 0x80070005 and error 5 are one error, as the fingerprint writes them.
  const fp = (error: string) =>
    fingerprintFinding(
      migrationDenial('HKLM\\SYSTEM\\CurrentControlSet\\services\\TdSecFlt', error),
      { key: ['object'], decode: { error: 'win32' }, fallback: false },
      null,
    ).codes.filter((c) => c.startsWith('err:'));
  expect(fp('0x80070005')).toEqual(['err:x00000005']);
  expect(fp('5')).toEqual(['err:x00000005']);
  expect(fp('0xC1900101')).toEqual([]);
});

test('one rule, another extend code in its key: a different failure (0x30017 is not 0x20017)', () => {
  const boot = (caseId: string, extend: string) =>
    candidate(caseId, { rule: 'boot-failure-detected', codes: ['xc1900101', `pair:c1900101-${extend}`, 'op:boot'] });
  const query = (extend: string) => ({
    findings: [
      {
        rule: 'boot-failure-detected',
        key: `boot-failure-detected|extended=x000${extend}`,
        title: '',
        codes: ['xc1900101', `pair:c1900101-${extend}`, 'op:boot'],
        entities: [],
        templates: {},
      },
    ],
    textTokens: [],
  });
  const past = boot('CAS-00001-SAFEOS', '20017');
  past.memory.findings[0]!.key = 'boot-failure-detected|extended=x00020017';
  const stats = { cases: 10, docs: new Map<string, number>() };
  const [other] = scoreCandidates(query('30017'), [past], stats, NOW);
  // Two of three codes shared and one past-only (2/4), × 0.6 for the other extend code; a finding
  // with all three codes scores 1 (both before the decay of age).
  const sameCodes = candidate('CAS-00002-SAMECO', {
    rule: 'boot-failure-detected',
    codes: ['xc1900101', 'pair:c1900101-30017', 'op:boot'],
  });
  sameCodes.memory.findings[0]!.key = 'boot-failure-detected|extended=x00030017|other';
  const [same] = scoreCandidates(query('30017'), [sameCodes], stats, NOW);
  expect(other!.score).toBeCloseTo(same!.score * 0.5 * 0.6, 5);
});

test('another product under the same rule is the same problem on other software; a shared one counts for more', () => {
  const finding = (product: string) => ({
    rule: 'compat-app-auto-uninstall',
    key: `compat-app-auto-uninstall|app=${product}`,
    title: '',
    codes: ['pair:c1900208-', 'phase:downlevel'],
    entities: [`app:${product}`],
    templates: {},
  });
  const past = (caseId: string, product: string): MemoryCandidate => {
    const c = candidate(caseId, { rule: 'compat-app-auto-uninstall', codes: ['pair:c1900208-', 'phase:downlevel'] });
    Object.assign(c.memory.findings[0]!, { key: `compat-app-auto-uninstall|app=${product}`, entities: [`app:${product}`] });
    return c;
  };
  const stats = { cases: 10, docs: new Map<string, number>() };
  const query = { findings: [finding('virtualbox')], textTokens: [] };
  const [other, same] = [
    scoreCandidates(query, [past('CAS-00001-VMWARE', 'vmware')], stats, NOW)[0]!,
    scoreCandidates(query, [past('CAS-00002-VBOXVB', 'virtualbox')], stats, NOW)[0]!,
  ];
  // The codes all agree: another product does not lower the score, the same one is the same failure.
  expect(other.score).toBeGreaterThan(0.9);
  expect(other.exact).toBe(false);
  expect(same.exact).toBe(true);
});

test('where a keyed object lives is part of the fingerprint: service keys alike, a Start menu folder apart', () => {
  const rule = { key: ['object'], decode: {}, fallback: false };
  const at = (object: string) => fingerprintFinding(migrationDenial(object, '5'), rule, null).codes.filter((c) => c.startsWith('at:'));
  expect(at('HKLM\\SYSTEM\\ControlSet001\\services\\TdSecFlt [Start]')).toEqual(['at:hklm\\system\\currentcontrolset\\services']);
  expect(at('HKLM\\SYSTEM\\CurrentControlSet\\services\\NxDlpSvc')).toEqual(['at:hklm\\system\\currentcontrolset\\services']);
  expect(at('C:\\ProgramData\\Microsoft\\Windows\\Start Menu\\Programs')).toEqual(['at:\\programdata\\microsoft\\windows\\start menu']);
});

test('a zero result code is no result and an UNKNOWN phase no phase: neither becomes a term', () => {
  const finding: Finding = {
    rule: 'abrupt-downlevel-failure',
    category: 'generic',
    title: '',
    summary: '',
    confidence: 'low',
    confidenceWhy: '',
    basis: 'outcome',
    evidence: [],
    facts: {},
    fix: [],
    actions: [],
    resolution: '',
  };
  const terms = (resultCode: string, extendPhase: string) =>
    fingerprintFinding(finding, null, {
      hostBuild: null,
      targetBuild: null,
      start: null,
      end: null,
      phase: null,
      operation: null,
      rollbacks: 0,
      resultCode,
      extendCode: '0x0',
      extendPhase,
      extendOperation: 'UNKNOWN',
    }).codes.filter((c) => c.startsWith('pair:') || c.startsWith('extend:'));
  expect(terms('0x00000000', 'UNKNOWN')).toEqual([]);
  expect(terms('0xC1900208', 'DOWNLEVEL')).toEqual(['pair:c1900208-', 'extend:downlevel/unknown']);
});

/** The run as if its first finding's cause signals had matched (a driver named), not only its outcome. */
function withCause(analysis: Analysis): Analysis {
  return { ...analysis, findings: analysis.findings.map((f, i) => (i === 0 ? { ...f, basis: 'cause' as const } : f)) };
}

test('beside a specific rule, generic profiles are left out of the fingerprints; alone, they are the fingerprint', async () => {
  // The real rollback log: boot-failure-detected, with the generic rollback-failure profile beside it.
  // Its lines prove only the outcome, so both restate it; where a cause signal matched it is specific.
  const real = await bootFailure('0x40017');
  expect(real.findings.map((f) => [f.rule, f.basis])).toEqual([
    ['boot-failure-detected', 'outcome'],
    ['rollback-failure', 'outcome'],
  ]);
  expect(fingerprintAnalysis(real, knowledge).map((f) => [f.rule, f.generic])).toEqual([
    ['boot-failure-detected', true],
    ['rollback-failure', true],
  ]);
  const analysis = withCause(real);
  expect(fingerprintAnalysis(analysis, knowledge).map((f) => f.rule)).toEqual(['boot-failure-detected']);
  const genericOnly = { ...analysis, findings: analysis.findings.filter((f) => f.rule === 'rollback-failure') };
  expect(fingerprintAnalysis(genericOnly, knowledge).map((f) => [f.rule, f.generic])).toEqual([['rollback-failure', true]]);
  // Its words still describe the case: the remembered text keeps the generic profile's title.
  const memory = rememberCase(
    {
      caseId: 'CAS-00001-ROLLBK',
      subject: '',
      closedAt: NOW.toISOString(),
      problem: '',
      analyses: [analysis],
      sentTexts: [],
      summary: null,
      customerConfirmed: false,
      fixedBy: [],
    },
    knowledge,
    synonyms,
  );
  expect(memory.findings.map((f) => f.rule)).toEqual(['boot-failure-detected']);
  const title = analysis.findings[1]!.title;
  expect(searchTokens(title, synonyms).every((t) => memory.textTokens.includes(t))).toBe(true);
});

test('a case with one finding: the closure’s fix solved it, in whatever words the engineer wrote', async () => {
  const analysis = withCause(await bootFailure('0x20017'));
  const thread = (summary: string) =>
    rememberCase(
      {
        caseId: 'CAS-00001-ONEFIX',
        subject: '',
        closedAt: NOW.toISOString(),
        problem: '',
        analyses: [analysis],
        sentTexts: [],
        summary,
        customerConfirmed: true,
        fixedBy: [],
      },
      knowledge,
      synonyms,
    );
  expect(thread('在BIOS中关闭还原卡的保护功能后重新升级，升级成功。').findings.map((f) => f.outcome)).toEqual(['fixed_confirmed']);
  expect(thread('客户放弃升级，问题未解决。').findings.map((f) => f.outcome)).toEqual(['no_fix']);
  // Known only by generic profiles, each restating the one outcome: the first is credited.
  const generic = { ...analysis, findings: analysis.findings.filter((f) => f.rule === 'rollback-failure') };
  const twice = { ...generic, findings: [generic.findings[0]!, { ...generic.findings[0]!, rule: 'setuphost-reported-failure' }] };
  const remembered = rememberCase(
    {
      caseId: 'CAS-00002-GENFIX',
      subject: '',
      closedAt: NOW.toISOString(),
      problem: '',
      analyses: [twice],
      sentTexts: [],
      summary: '卸载还原卡驱动后升级成功。',
      customerConfirmed: true,
      fixedBy: [],
    },
    knowledge,
    synonyms,
  );
  expect(remembered.findings.map((f) => [f.rule, f.outcome])).toEqual([
    ['rollback-failure', 'fixed_confirmed'],
    ['setuphost-reported-failure', 'unknown'],
  ]);
});
