// The digest at scale: 10,000 open cases and 200,000 messages in the store, built from SQL
// and rendered (HTML and text). Prints the time per digest (median and worst of the runs).

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SqliteCaseStore } from '../src/adapters/sqlite/sqlite-store';
import { buildDigest } from '../src/core/digest/build-digest';
import { compileDigest } from '../src/core/digest/render-digest';
import { projectRoot } from '../src/config/paths';
import { readTemplateSources } from '../src/knowledge/load-templates';
import { compileTemplates, describeProblems } from '../src/core/draft/templates';
import { parsedMail } from '../test/helpers/parsed-mail';

const CASES = Number(process.env.BENCH_CASES ?? 10000);
const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 200000);
const RUNS = 5;

export function benchDigest(): void {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'casebot-digest-bench-')), 'store.sqlite');
  const store = new SqliteCaseStore(file);
  const now = new Date('2026-11-25T01:00:00Z');
  const seeded = Date.now();
  store.transaction(() => {
    for (let c = 0; c < CASES; c++) {
      const caseId = `CAS-${String(c).padStart(5, '0')}-BENCH${String(c % 10)}`;
      store.createCase(
        {
          caseId,
          subject: `[案例号: ${caseId} ] % 单位${c}升级失败 %`,
          title: `单位${c}升级失败`,
          customer: `客户${c % 300}`,
          engineer: `eng${c % 8}@cmgos.com`,
        },
        now.toISOString(),
      );
    }
    for (let m = 0; m < MESSAGES; m++) {
      const c = m % CASES;
      const caseId = `CAS-${String(c).padStart(5, '0')}-BENCH${String(c % 10)}`;
      const mail = parsedMail({ messageId: `bench.${m}@example.cn`, rawHash: String(m), subject: caseId, date: now.toISOString() });
      const arrived = new Date(now.getTime() - ((m * 7919) % (60 * 86400)) * 1000).toISOString();
      store.insertMessage(
        {
          mail,
          caseId,
          folder: 'inbox',
          mailboxRef: '{}',
          arrivedAt: arrived,
          direction: m % 3 === 0 ? 'outbound' : 'inbound',
          successReport: false,
          logAttachments: 0,
          intakeProblems: [],
        },
        arrived,
      );
    }
  });
  console.log(`digest: seeded ${CASES} open cases and ${MESSAGES} messages in ${((Date.now() - seeded) / 1000).toFixed(1)} s`);
  const sources = readTemplateSources(path.join(projectRoot(), 'templates'));
  const render = compileDigest(sources);
  const describeProblem = describeProblems(compileTemplates(sources), { name: 'CDUC', url: 'https://cduc.example' });
  const times: number[] = [];
  let size = 0;
  for (let i = 0; i < RUNS; i++) {
    const started = process.hrtime.bigint();
    const view = buildDigest(
      store.digest.data(null, new Date(now.getTime() - 86400000).toISOString(), new Date(now.getTime() - 7 * 86400000).toISOString()),
      now,
      { reminderDays: 3, staleDays: 14 },
      'team',
      describeProblem,
    );
    const out = render(view);
    times.push(Number(process.hrtime.bigint() - started) / 1e6);
    size = out.html.length;
  }
  times.sort((a, b) => a - b);
  console.log(
    `digest of ${CASES} cases (team): median ${times[Math.floor(RUNS / 2)]!.toFixed(0)} ms, worst ${times[RUNS - 1]!.toFixed(0)} ms, HTML ${(size / 1e6).toFixed(1)} MB  (target < 1000 ms)`,
  );
  store.close();
}
