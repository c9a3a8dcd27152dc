// Case memory at scale: 10,000 remembered cases (fingerprints of the rules' own hit fixtures and
// the bundle factory's failures, with varied services, GUIDs and customer wording), then the
// time to add a case, to look up similar cases, and to fingerprint a 16,000-line setupact.log.
// BENCH_MEMORY_CASES changes the corpus size.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SqliteCaseMemory } from '../src/adapters/sqlite/memory-store';
import { SqliteCaseStore } from '../src/adapters/sqlite/sqlite-store';
import { analyzeBundle } from '../src/core/analyze/analyze-bundle';
import { decodeText } from '../src/core/analyze/decode-text';
import { memoryQuery } from '../src/core/memory/query';
import { rankSimilar } from '../src/core/memory/rank';
import { rememberCase } from '../src/core/memory/remember';
import { failureLines, mineTemplates } from '../src/core/memory/templates';
import { codeSynonyms } from '../src/core/memory/tokens';
import { projectRoot } from '../src/config/paths';
import { logFromBuffer, type Analysis } from '../src/core/types';
import { readFolder } from '../src/knowledge/log-files';
import { loadKnowledge } from '../src/knowledge/load';
import { buildSetupactLog } from '../test/helpers/bundle-factory';

const CASES = Number(process.env.BENCH_MEMORY_CASES ?? 10000);
const LOOKUPS = 300;
const ADDS = 300;
const WORDS = [
  '升级',
  '失败',
  '回退',
  '报错',
  '终端',
  '分行',
  '重启',
  '蓝屏',
  '磁盘',
  '空间',
  '驱动',
  '不兼容',
  '加密',
  '注册表',
  '拒绝访问',
  '安全软件',
  '卸载',
  '映像',
  '更新',
  '语言',
  '启动',
  '迁移',
  '第二次',
  '最后阶段',
  '日志',
  '请协助',
  '分析',
  '原因',
  '多台',
  '部分',
];
const SERVICES = ['Ensec64', '360FsFlt', 'ZhuDongFangYu', 'TmFilter', 'SymEFA', 'klif', 'QQPCRTP', 'HipsDaemon', 'sysdiag', 'edrsensor'];

export async function benchMemory(): Promise<void> {
  const root = projectRoot();
  const knowledge = loadKnowledge(path.join(root, 'knowledge'));
  const synonyms = codeSynonyms(knowledge);
  const pool = await analysisPool(root, knowledge);
  const store = new SqliteCaseStore(path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'casebot-memory-bench-')), 'store.sqlite'));
  const memory = new SqliteCaseMemory(store.database);
  let seed = 7;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const pick = <T>(items: T[]) => items[Math.floor(random() * items.length)]!;
  const description = () => Array.from({ length: 8 + Math.floor(random() * 10) }, () => pick(WORDS)).join('');
  const now = new Date('2026-11-25T00:00:00Z');
  const make = (i: number) => {
    const analysis = pool[i % pool.length]!;
    return rememberCase(
      {
        caseId: `CAS-${String(i).padStart(5, '0')}-BENCH${i % 10}`,
        subject: `[案例号: CAS-${i} ] % 单位${i}升级失败 %`,
        closedAt: new Date(now.getTime() - (i % 1500) * 86400000).toISOString(),
        problem: `${description()}，装有${pick(SERVICES)}。`,
        analyses: [analysis],
        sentTexts: analysis.findings.map((f) => f.actions.join('\n')),
        summary: analysis.findings[0]?.resolution ?? null,
        customerConfirmed: random() < 0.7,
        fixedBy: [],
      },
      knowledge,
      synonyms,
    );
  };

  const seeded = Date.now();
  store.transaction(() => {
    for (let i = 0; i < CASES; i++) memory.remember(make(i), now.toISOString());
  });
  console.log(
    `case memory: ${memory.size()} cases remembered in ${((Date.now() - seeded) / 1000).toFixed(1)} s (one transaction); ${pool.length} distinct analyses`,
  );

  const adds: number[] = [];
  for (let i = 0; i < ADDS; i++) {
    const t = performance.now();
    memory.remember(make(CASES + i), now.toISOString());
    adds.push(performance.now() - t);
  }
  const lookups: number[] = [];
  let shown = 0;
  for (let i = 0; i < LOOKUPS; i++) {
    const t = performance.now();
    const query = memoryQuery(description(), pick(pool), knowledge, synonyms);
    const { candidates, stats } = memory.candidates(query, 100);
    shown += rankSimilar(query, candidates, stats, now).length;
    lookups.push(performance.now() - t);
  }
  console.log(
    `case memory add (fingerprint, tokens, rows, FTS), own transaction: p50 ${pct(adds, 50)} ms, p95 ${pct(adds, 95)} ms  (target <= 20 ms)`,
  );
  console.log(
    `case memory lookup (query, FTS5 bm25 candidates, ranking) at ${memory.size()} cases: p50 ${pct(lookups, 50)} ms, p95 ${pct(lookups, 95)} ms  (target <= 50 ms); ${(shown / LOOKUPS).toFixed(1)} shown per lookup`,
  );

  const real = path.join(root, '..', 'shared', 'real-logs', '24h2-reset', 'SetupAct.log');
  const text = fs.existsSync(real)
    ? decodeText(fs.readFileSync(real))
    : buildSetupactLog({ failure: { kind: 'none' }, noiseLines: 16000 }).text;
  const lines = text.split(/\r?\n/);
  const fingerprint: number[] = [];
  const whole: number[] = [];
  let templates = 0;
  for (let run = 0; run < 5; run++) {
    let t = performance.now();
    mineTemplates(failureLines(text.split(/\r?\n/), knowledge.outcomes.rollback));
    fingerprint.push(performance.now() - t);
    t = performance.now();
    templates = mineTemplates(lines).length;
    whole.push(performance.now() - t);
  }
  console.log(
    `fingerprint of a ${lines.length}-line setupact.log (${fs.existsSync(real) ? '24h2-reset' : 'generated'}): error and pre-rollback lines mined ${pct(fingerprint, 50)} ms; ` +
      `every line mined (success-run templates) ${pct(whole, 50)} ms, ${templates} templates  (target <= 100 ms)`,
  );
  store.close();
}

/** One analysis per hit fixture of every rule, and the bundle factory's failures. */
async function analysisPool(root: string, knowledge: ReturnType<typeof loadKnowledge>): Promise<Analysis[]> {
  const pool: Analysis[] = [];
  const rules = path.join(root, 'knowledge', 'rules');
  for (const rule of fs.readdirSync(rules).sort()) {
    const fixtures = path.join(rules, rule, 'fixtures');
    if (!fs.existsSync(fixtures)) continue;
    for (const name of fs.readdirSync(fixtures).filter((n) => n.startsWith('hit-'))) {
      const analysis = await analyzeBundle(readFolder(path.join(fixtures, name), ['expect.yaml']), knowledge);
      if (analysis.findings.length > 0) pool.push(analysis);
    }
  }
  for (const service of SERVICES) {
    const log = buildSetupactLog({ failure: { kind: 'mig-registry', service, value: 'DisplayName', error: 5 }, noiseLines: 300 }).text;
    pool.push(await analyzeBundle([logFromBuffer('setupact.log', Buffer.from(log, 'utf8'))], knowledge));
  }
  return pool;
}

function pct(values: number[], p: number): string {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!.toFixed(1);
}
