// The blind evaluation archive (test/fixtures/memory-blind): closed case threads written by a
// helper who had not read casebot's code, from a one-page brief, answered by engineers who are
// not in the config. No threshold is tuned on it. Learned with `learn`'s own code, then each
// labelled thread queries a memory of all the others, as the live mailbox would.

import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { learnFromArchive, type LearnReport } from '../../src/app/learn-archive';
import { readBundles } from '../../src/app/read-bundles';
import { findCaseId } from '../../src/core/case/case-id';
import { ownText } from '../../src/core/mail/strip-quote';
import { memoryQuery } from '../../src/core/memory/query';
import { scoreCandidates } from '../../src/core/memory/rank';
import type { RememberedCase } from '../../src/core/memory/types';
import type { Analysis } from '../../src/core/types';
import { SqliteCaseMemory } from '../../src/adapters/sqlite/memory-store';
import { SqliteCaseStore } from '../../src/adapters/sqlite/sqlite-store';
import { MaildirMailbox } from '../../src/adapters/maildir/maildir-mailbox';
import { synonymsOf } from '../../src/app/case-memory';
import type { Casebot } from '../../src/main';
import type { EvalCase } from './eval-set';
import { NOW, type Ranked } from './evaluate';

export const BLIND_DIR = path.join(__dirname, '../fixtures/memory-blind');
export const BLIND_ARCHIVE = path.join(BLIND_DIR, 'archive');

export interface BlindLabel {
  caseId: string;
  group: string;
  unique: boolean;
  kind: 'findings' | 'outcome-only' | 'description';
}

export function blindLabels(): BlindLabel[] {
  const data = YAML.parse(fs.readFileSync(path.join(BLIND_DIR, 'labels.yaml'), 'utf8')) as BlindLabel[] | { threads: BlindLabel[] };
  const list = Array.isArray(data) ? data : data.threads;
  return list.map((l) => ({ caseId: l.caseId, group: l.group, unique: Boolean(l.unique), kind: l.kind }));
}

export interface BlindQuery extends EvalCase {
  kind: BlindLabel['kind'];
  memory: RememberedCase;
}

/** Learns the archive as `casebot learn` does; each labelled thread becomes a query with its first mail's words and its logs' analysis. */
export async function learnBlindArchive(bot: Casebot): Promise<{ report: LearnReport; queries: BlindQuery[] }> {
  const archive = new MaildirMailbox(BLIND_ARCHIVE);
  await archive.open();
  const report = await learnFromArchive(bot, archive);
  await archive.close();
  const labels = blindLabels();
  const firstWords = new Map<string, { at: string; text: string }>();
  const analyses = new Map<string, Analysis>();
  for (const name of fs.readdirSync(path.join(BLIND_ARCHIVE, 'cur')).sort()) {
    const raw = fs.readFileSync(path.join(BLIND_ARCHIVE, 'cur', name));
    const mail = await bot.codec.parse(raw, NOW);
    try {
      const caseId = findCaseId(mail.subject);
      if (!caseId || /@cmgos\.com$/i.test(mail.from?.address ?? '')) continue;
      const first = firstWords.get(caseId);
      if (!first || mail.date < first.at) firstWords.set(caseId, { at: mail.date, text: ownText(mail.text) });
      const { artifacts } = await readBundles(bot, mail, caseId, { attachmentsOnly: true });
      for (const a of artifacts) if (a.analysis) analyses.set(caseId, a.analysis);
    } finally {
      bot.codec.release(mail);
    }
  }
  const queries = labels.map((l): BlindQuery => {
    const memory = bot.memory.recall(l.caseId);
    if (!memory) throw new Error(`${l.caseId} was not remembered`);
    const analysis = analyses.get(l.caseId) ?? null;
    return {
      id: l.caseId,
      group: l.group,
      kind: l.kind,
      description: firstWords.get(l.caseId)?.text ?? '',
      analysis: analysis!,
      summary: memory.fixText ?? '',
      memory,
    };
  });
  return { report, queries };
}

/** Each thread against a fresh memory of all the others (no statistic of the query leaks in). */
export function rankBlind(bot: Casebot, queries: BlindQuery[], withFindings: boolean): Ranked[] {
  const synonyms = synonymsOf(bot.knowledge);
  return queries.map((q) => {
    const store = new SqliteCaseStore(':memory:');
    const memory = new SqliteCaseMemory(store.database);
    for (const other of queries) if (other.id !== q.id) memory.remember(other.memory, NOW.toISOString());
    const query = memoryQuery(q.description, withFindings ? (q.analysis ?? null) : null, bot.knowledge, synonyms);
    const { candidates, stats } = memory.candidates(query, 100);
    store.close();
    return { query: q, ranking: scoreCandidates(query, candidates, stats, NOW) };
  });
}
