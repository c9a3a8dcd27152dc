// Case memory in the mailbox loop: a case that closed is remembered (each finding with the
// advice sent and its own outcome); a case whose new logs were analyzed, or a new case without
// logs, is looked up, and its engineer gets an internal note threaded to the case when similar
// past cases exist. Nothing of this ever reaches a draft.

import type { Knowledge } from '../core/analyze/knowledge';
import type { CaseView } from '../core/case/case-view';
import { ownText } from '../core/mail/strip-quote';
import { similarCasesNotice } from '../core/memory/note';
import { memoryQuery } from '../core/memory/query';
import { rankSimilar } from '../core/memory/rank';
import { closureSummary } from '../core/case/case-state';
import { rememberCase, type CaseThread } from '../core/memory/remember';
import { codeSynonyms, type CodeSynonyms } from '../core/memory/tokens';
import type { MemoryQuery, RememberedCase, SimilarCase } from '../core/memory/types';
import { readLogText } from '../core/analyze/decode-text';
import { mineTemplates } from '../core/memory/templates';
import type { Analysis, LogFileInput } from '../core/types';
import type { CaseStore } from '../ports/case-store';
import type { CasebotDeps } from './casebot-deps';
import { mailEngineer, type EngineerMailDeps } from './engineer-mail';

/** What this module uses of casebot's dependencies (the composition root passes them all). */
export type CaseMemoryDeps = Pick<CasebotDeps, 'clock' | 'knowledge' | 'memory'> & {
  store: Pick<CaseStore, 'drafts' | 'events' | 'getCase' | 'loadCaseView' | 'transaction'>;
} & EngineerMailDeps;

/** Cases ranked per lookup: the rest cannot reach the top three. */
const CANDIDATES = 100;

const synonymCache = new WeakMap<Knowledge, CodeSynonyms>();

export function synonymsOf(knowledge: Knowledge): CodeSynonyms {
  let synonyms = synonymCache.get(knowledge);
  if (!synonyms) synonymCache.set(knowledge, (synonyms = codeSynonyms(knowledge)));
  return synonyms;
}

/** After a pass: remember the cases that closed, look up the ones with new findings. */
export async function updateCaseMemory(deps: CaseMemoryDeps, caseIds: string[]): Promise<void> {
  for (const caseId of caseIds) {
    if (rememberIfClosed(deps, caseId)) continue;
    await noteSimilarCases(deps, caseId);
  }
}

/** The most similar remembered cases (at most three, above the threshold), the case itself left out. */
export function findSimilar(deps: CaseMemoryDeps, query: MemoryQuery, exclude: string | null = null): SimilarCase[] {
  const { candidates, stats } = deps.memory.candidates(query, CANDIDATES);
  return rankSimilar(
    query,
    candidates.filter((c) => c.memory.caseId !== exclude),
    stats,
    deps.clock(),
  );
}

/** The query for a case in the store: its latest analysis and the customer's first words. */
export function caseQuery(
  deps: CaseMemoryDeps,
  caseId: string,
): { query: MemoryQuery; analysis: (Analysis & { id: number }) | null; messageId: string | null } {
  const view = deps.store.loadCaseView(caseId);
  const latest = [...view.messages].reverse().find((m) => m.analysis !== null) ?? null;
  const query = memoryQuery(problemOf(deps, caseId), latest?.analysis ?? null, deps.knowledge, synonymsOf(deps.knowledge), {
    normalTemplates: deps.memory.normalTemplates(),
  });
  // The mail the lookup answers: the one whose logs were analyzed, else the customer's first.
  const answers = latest ?? view.messages.find((m) => m.direction === 'inbound') ?? null;
  return { query, analysis: latest?.analysis ?? null, messageId: answers?.messageId ?? null };
}

/**
 * Mails the case's engineer the similar past cases of its newest analysis, once per analysis; a
 * case without analyzed logs is looked up once by its customer's words (and any code they quote),
 * so the engineer sees the fixes that worked before the logs come.
 */
async function noteSimilarCases(deps: CaseMemoryDeps, caseId: string): Promise<void> {
  const { store } = deps;
  const { query, analysis, messageId } = caseQuery(deps, caseId);
  if (analysis ? query.findings.length === 0 : query.textTokens.length === 0) return;
  const analysisId = analysis?.id ?? null;
  if (store.events.list(caseId).some((e) => e.type === 'memory-lookup' && e.detail.analysisId === analysisId)) return;
  const at = deps.clock().toISOString();
  const results = findSimilar(deps, query, caseId);
  store.transaction(() => {
    for (const f of query.findings) if (f.key) deps.memory.recordSignature(caseId, f.key, f.title, at);
    store.events.append({
      at,
      caseId,
      messageId,
      actor: 'casebot',
      type: 'memory-lookup',
      detail: {
        analysisId,
        similar: results.map((r) => ({
          caseId: r.caseId,
          exact: r.exact,
          outcome: r.finding?.outcome ?? null,
          score: Number(r.score.toFixed(3)),
        })),
      },
    });
  });
  // Only a finding worth reading is mailed; `casebot similar` says plainly when nothing is close.
  if (results.length === 0) return;
  const notice = similarCasesNotice(caseId, results, analysis ? 'analysis' : 'description');
  await mailEngineer(deps, store.getCase(caseId)!.engineer, caseId, notice, messageId);
}

/** Remembers the case if it is closed (by /close, or a closure mail with 问题总结 went out). */
export function rememberIfClosed(deps: CaseMemoryDeps, caseId: string): RememberedCase | null {
  const thread = caseThread(deps, caseId);
  if (!thread) return null;
  const memory = rememberCase(thread, deps.knowledge, synonymsOf(deps.knowledge), { normalTemplates: deps.memory.normalTemplates() });
  deps.memory.remember(memory, deps.clock().toISOString());
  return memory;
}

/** What memory needs of a case in the store, or null while it is not closed. */
function caseThread(deps: CaseMemoryDeps, caseId: string): CaseThread | null {
  const { store } = deps;
  const summary = store.getCase(caseId);
  if (!summary) return null;
  const view = store.loadCaseView(caseId);
  const events = store.events.list(caseId);
  const mails = deps.memory.threadMails(caseId);
  const sent = mails.filter((m) => m.direction === 'outbound');
  const closingMail = [...sent].reverse().find((m) => closureSummary(m.text) !== null) ?? null;
  const closedEvent = [...events].reverse().find((e) => e.type === 'case-closed' || e.type === 'case-reopened');
  const closedByCommand =
    summary.status === 'closed' && closedEvent?.type === 'case-closed' && closedEvent.detail.by === undefined ? closedEvent : null;
  if (!closedByCommand && !closingMail) return null;
  const commandSummary =
    typeof closedByCommand?.detail.summary === 'string' && closedByCommand.detail.summary !== '' ? closedByCommand.detail.summary : null;
  const draft = store.drafts.live(caseId);
  const draftSummary = draft?.kind === 'closure' ? closureSummary(draft.bodyText) : null;
  return {
    caseId,
    subject: view.subject,
    closedAt: closedByCommand?.at ?? closingMail!.arrivedAt,
    problem: problemOf(deps, caseId),
    analyses: analysesOf(view),
    sentTexts: sent.map((m) => ownText(m.text)),
    summary: commandSummary ?? (closingMail ? closureSummary(closingMail.text) : null) ?? draftSummary,
    customerConfirmed: mails.some((m) => m.direction === 'inbound' && m.successReport),
    fixedBy: events.filter((e) => e.type === 'fixed-by').map((e) => String(e.detail.finding)),
  };
}

function analysesOf(view: CaseView): Analysis[] {
  return view.messages.flatMap((m) => (m.analysis ? [m.analysis] : []));
}

/** The customer's own words in their first mail of the case. */
function problemOf(deps: CaseMemoryDeps, caseId: string): string {
  const first = deps.memory.threadMails(caseId).find((m) => m.direction === 'inbound');
  return first ? ownText(first.text) : '';
}

/** A successful run's log larger than this is read only so far: its first lines hold the templates. */
const NORMAL_LOG_BYTES = 64 * 1024 * 1024;

/**
 * Logs of upgrades that succeeded: their line templates are remembered as normal, so a
 * failure's fingerprint leaves out what every run writes. Returns the templates added.
 */
export async function learnNormalRuns(deps: Pick<CasebotDeps, 'memory'>, files: LogFileInput[]): Promise<number> {
  let added = 0;
  for (const file of files) {
    const lines = (await readLogText(file, NORMAL_LOG_BYTES)).split(/\r?\n/);
    added += deps.memory.addNormalTemplates(mineTemplates(lines).map((t) => t.template));
  }
  return added;
}
