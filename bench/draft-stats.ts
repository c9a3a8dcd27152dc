// `casebot stats` at scale: 10,000 cases and 50,000 drafts in the store, each with what became of
// it (sent as drafted, after edits, replaced, discarded, waiting), computed from the events as the
// command does. Prints the time per computation (median and worst of the runs); target < 0.5 s.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SqliteCaseStore } from '../src/adapters/sqlite/sqlite-store';
import { draftOutcomes, draftStats } from '../src/core/stats/draft-outcomes';

const CASES = Number(process.env.BENCH_CASES ?? 10000);
const DRAFTS = Number(process.env.BENCH_DRAFTS ?? 50000);
const RUNS = 5;
const KINDS = ['scope-request', 'diagnosis', 'log-rerequest', 'closure'];
const RULES = ['bcd-clone-failure', 'mig-apply-object', 'disk-space-failure', 'boot-failure-detected', 'sysprep-plugin-failure'];

export function benchDraftStats(): void {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'casebot-stats-bench-')), 'store.sqlite');
  const store = new SqliteCaseStore(file);
  const now = new Date('2026-11-25T01:00:00Z');
  const seeded = Date.now();
  const caseId = (c: number) => `CAS-${String(c).padStart(5, '0')}-STATS${c % 10}`;
  store.transaction(() => {
    for (let c = 0; c < CASES; c++)
      store.createCase(
        { caseId: caseId(c), subject: caseId(c), title: 't', customer: null, engineer: `eng${c % 8}@cmgos.com` },
        now.toISOString(),
      );
    for (let d = 0; d < DRAFTS; d++) {
      const c = d % CASES;
      const at = new Date(now.getTime() - ((d * 7919) % (25 * 86400)) * 1000 - 3600000).toISOString();
      const id = `casebot.${caseId(c)}.${d}@cmgos.com`;
      const kind = KINDS[d % KINDS.length]!;
      store.events.append({
        at,
        caseId: caseId(c),
        messageId: id,
        actor: 'casebot',
        type: 'draft-created',
        detail: { kind, reason: 'bench', answers: `m${d}`, findings: kind === 'diagnosis' ? [RULES[d % RULES.length]!] : [] },
      });
      const sentAt = new Date(Date.parse(at) + ((d % 48) + 1) * 3600000).toISOString();
      switch (d % 5) {
        case 0:
        case 1:
          store.events.append({
            at: sentAt,
            caseId: caseId(c),
            messageId: id,
            actor: 'eng@cmgos.com',
            type: 'draft-sent',
            detail: { kind, draft: id, edited: false, similarity: 0.97 },
          });
          break;
        case 2:
          store.events.append({
            at: sentAt,
            caseId: caseId(c),
            messageId: `sent.${d}@cmgos.com`,
            actor: 'eng@cmgos.com',
            type: 'draft-sent',
            detail: {
              kind,
              draft: id,
              edited: true,
              similarity: 0.7,
              edits: {
                removed: 3,
                added: 1,
                commandsChanged: [],
                templateSentences: ['感谢您联系我们。', '如果存在多个问题，则我们考虑拆分案例进行分析。'],
              },
            },
          });
          break;
        case 3:
          store.events.append({
            at: sentAt,
            caseId: caseId(c),
            messageId: `command.${d}@cmgos.com`,
            actor: 'eng@cmgos.com',
            type: 'draft-discarded',
            detail: { kind, draft: id },
          });
          break;
        default:
          break; // waiting, or replaced by the case's next draft
      }
    }
  });
  console.log(`stats: seeded ${CASES} cases and ${DRAFTS} drafts in ${((Date.now() - seeded) / 1000).toFixed(1)} s`);
  const since = new Date(now.getTime() - 30 * 86400000).toISOString();
  const times: number[] = [];
  let drafts = 0;
  for (let i = 0; i < RUNS; i++) {
    const started = process.hrtime.bigint();
    drafts = draftStats(draftOutcomes(store.drafts.history(since, null)), since).drafts;
    times.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  times.sort((a, b) => a - b);
  console.log(
    `stats of ${drafts} drafts over ${CASES} cases: median ${times[Math.floor(RUNS / 2)]!.toFixed(0)} ms, worst ${times[RUNS - 1]!.toFixed(0)} ms  (target < 500 ms)`,
  );
  store.close();
}
