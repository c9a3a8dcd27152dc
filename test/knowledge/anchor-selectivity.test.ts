// A rule's anchor is what the scanner searches every byte of a log for: it must be rare in
// ordinary logs, or the analyzer slows down and, past the per-anchor cap, misses lines.
// Every anchor is checked against real logs and a generated 20,000-line run of ordinary setup.

import fs from 'node:fs';
import path from 'node:path';
import { classifyLog } from '../../src/core/analyze/classify-log';
import { scanLog } from '../../src/core/analyze/log-scanner';
import { loadKnowledge } from '../../src/knowledge/load';
import { readFolder } from '../../src/knowledge/log-files';
import { buildSetupactLog, encodeLog } from '../helpers/bundle-factory';

const knowledge = loadKnowledge(path.join(__dirname, '../../knowledge'));
const realLogs = path.join(__dirname, '../fixtures/real-logs');
/** At most this share of a log's lines may hold one rule anchor. */
const MAX_SHARE = 0.005;
/** …or this many, whichever is more: a few genuine lines in a short log are fine. */
const MIN_ALLOWED = 20;

test('every rule anchor is rare in ordinary logs', async () => {
  // Panther-format logs are the big ones; the other kinds are small result files.
  const specs = knowledge.rules.flatMap((r) => r.signals.filter((s) => s.log === 'panther').map((s) => ({ literal: s.anchor, before: 0, after: 0, rule: r.id })));
  const sources = [
    ...fs.readdirSync(realLogs).filter((d) => fs.statSync(path.join(realLogs, d)).isDirectory()).flatMap((d) => readFolder(path.join(realLogs, d))),
    { path: 'generated-noise', open: async function* () { yield encodeLog(buildSetupactLog({ failure: { kind: 'none' }, seed: 5 }).text, 'gbk'); } },
  ];
  const tooCommon = new Set<string>();
  for (const source of sources) {
    const scan = await scanLog(source.open(), specs);
    if (scan.lineCount < 200 || classifyLog(scan.head) !== 'panther') continue;
    for (const s of specs) {
      const n = scan.hits.get(s.literal)?.length ?? 0;
      if (n > Math.max(MIN_ALLOWED, scan.lineCount * MAX_SHARE)) tooCommon.add(`${s.rule}: "${s.literal}" on ${n} of ${scan.lineCount} lines of ${source.path}`);
    }
  }
  expect([...tooCommon].sort()).toEqual([]);
});
