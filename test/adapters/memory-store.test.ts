import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { SqliteCaseMemory } from '../../src/adapters/sqlite/memory-store';
import { MIGRATIONS } from '../../src/adapters/sqlite/migrations';
import { SqliteCaseStore } from '../../src/adapters/sqlite/sqlite-store';
import type { RememberedCase } from '../../src/core/memory/types';

const at = '2026-11-25T00:00:00.000Z';

function remembered(caseId: string, textTokens: string[], key: string, codes: string[]): RememberedCase {
  return {
    caseId,
    subject: `[案例号: ${caseId} ]`,
    closedAt: at,
    problem: 'p',
    fixText: null,
    textTokens,
    findings: [
      {
        rule: 'bcd',
        key,
        title: 't',
        codes,
        entities: [],
        templates: { 'bfsvc error <hex>': 1 },
        advice: [],
        adviceGiven: false,
        outcome: 'unknown',
      },
    ],
  };
}

/** Documents per term as FTS5 itself counts them, and as the store keeps them. */
function termCounts(db: Database.Database): { fts: Record<string, number>; kept: Record<string, number> } {
  const rows = (sql: string) => Object.fromEntries((db.prepare(sql).all() as { term: string; n: number }[]).map((r) => [r.term, r.n]));
  return { fts: rows('SELECT term, doc AS n FROM memory_terms'), kept: rows('SELECT term, docs AS n FROM memory_term') };
}

test('the documents-per-term table stays equal to FTS5 vocabulary as cases are remembered, replaced and found', () => {
  const store = new SqliteCaseStore(':memory:');
  const memory = new SqliteCaseMemory(store.database);
  memory.remember(remembered('CAS-00001-AAAAA1', ['升级', '级失', '失败', 'bcd', 'x00000005'], 'bcd|delete', ['x00000005']), at);
  memory.remember(remembered('CAS-00002-AAAAA2', ['升级', '蓝屏', 'ensec64', 'ensec64'], 'mig|ensec64', ['x00000005', 'x80070005']), at);
  // Remembered again with other words: the old row's terms are counted out.
  memory.remember(remembered('CAS-00001-AAAAA1', ['回退', 'bcd'], 'bcd|delete', ['xc1900101']), at);
  const { fts, kept } = termCounts(store.database);
  expect(kept).toEqual(fts);
  expect(kept['升级']).toBe(1);
  expect(kept['失败']).toBeUndefined();
  expect(kept['bcd']).toBe(1);

  const { candidates, stats } = memory.candidates({ findings: [], textTokens: ['bcd', '回退', '蓝屏'] }, 10);
  expect(stats.docs.get('bcd')).toBe(1);
  expect(candidates.map((c) => c.memory.caseId).sort()).toEqual(['CAS-00001-AAAAA1', 'CAS-00002-AAAAA2']);
  store.close();
});

test('a memory written before the documents-per-term table gets it filled from FTS5 on upgrade', () => {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'casebot-memory-')), 'c.sqlite');
  const old = new Database(file);
  const version = MIGRATIONS.findIndex((sql) => sql.includes('CREATE TABLE memory_term '));
  expect(version).toBeGreaterThan(0);
  for (const sql of MIGRATIONS.slice(0, version)) old.exec(sql);
  old.pragma(`user_version = ${version}`);
  old.prepare("INSERT INTO memory_case (case_id, subject, closed_at, problem, remembered_at) VALUES ('CAS-1', 's', ?, 'p', ?)").run(at, at);
  old.prepare("INSERT INTO memory_fts (rowid, text, signature) VALUES (1, '升级 失败 升级', 'k1234')").run();
  old.close();

  const store = new SqliteCaseStore(file);
  const { fts, kept } = termCounts(store.database);
  expect(kept).toEqual({ 升级: 1, 失败: 1, k1234: 1 });
  expect(kept).toEqual(fts);
  store.close();
});

test('a remembered generic profile reads back generic, so ranking compares it by outcome alone', () => {
  const store = new SqliteCaseStore(':memory:');
  const memory = new SqliteCaseMemory(store.database);
  const generic = remembered('CAS-00003-AAAAA3', ['回退'], 'early-downlevel-error|', ['pair:c1900104-50013']);
  generic.findings[0] = { ...generic.findings[0]!, rule: 'early-downlevel-error', generic: true };
  memory.remember(generic, at);
  memory.remember(remembered('CAS-00004-AAAAA4', ['回退'], 'bcd|delete', ['x00000005']), at);
  expect(memory.recall('CAS-00003-AAAAA3')!.findings[0]!.generic).toBe(true);
  expect(memory.recall('CAS-00004-AAAAA4')!.findings[0]!.generic).toBeUndefined();
  const { candidates } = memory.candidates({ findings: [], textTokens: ['回退'] }, 10);
  expect(Object.fromEntries(candidates.map((c) => [c.memory.caseId, c.memory.findings[0]!.generic ?? false]))).toEqual({
    'CAS-00003-AAAAA3': true,
    'CAS-00004-AAAAA4': false,
  });
  store.close();
});
