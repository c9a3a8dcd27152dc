// Learns from the mail the team already has: replays the closed case threads of an archive
// (the engineer's Sent and the case folders) into case memory, so it is useful on the first
// day. Only memory is written: no case, draft or mail comes of it. Idempotent: a case is
// remembered under its id, so learning the same archive twice remembers each case once.

import { findCaseId } from '../core/case/case-id';
import { isSuccessReport } from '../core/case/success-report';
import { ownText } from '../core/mail/strip-quote';
import { closureSummary } from '../core/case/case-state';
import { rememberCase } from '../core/memory/remember';
import type { Analysis, ParsedMail } from '../core/types';
import type { Mailbox } from '../ports/mailbox';
import type { CasebotDeps } from './casebot-deps';
import { synonymsOf, type CaseMemoryDeps } from './case-memory';
import { readBundles, type ReadBundlesDeps } from './read-bundles';
import { isOurAddress } from './team-settings';

/** What this module uses of casebot's dependencies (the composition root passes them all). */
export type LearnArchiveDeps = Pick<CasebotDeps, 'clock' | 'codec' | 'knowledge' | 'memory' | 'settings'> &
  CaseMemoryDeps &
  ReadBundlesDeps;

export interface LearnReport {
  mails: number;
  threads: number;
  remembered: string[];
  /** Remembered from the customer's words and the closure alone: the thread carried no readable logs. */
  withoutLogs: string[];
  /** Threads without a closure (no 问题总结 sent): not remembered. */
  open: string[];
  /** Mails that belong to no case thread (no case id, no reference to one): not a case. */
  notCases: number;
}

export type LearnProgress = (done: number, total: number, caseId: string) => void;

interface ArchivedMail {
  mail: ParsedMail;
  arrivedAt: string;
  /** It was in the archive's Sent folder: it went out, whoever's name is on it. */
  sent: boolean;
}

export async function learnFromArchive(
  deps: LearnArchiveDeps,
  archive: Mailbox,
  progress: LearnProgress = () => undefined,
): Promise<LearnReport> {
  const threads = new Map<string, ArchivedMail[]>();
  const caseOfMessage = new Map<string, string>();
  const unplaced: ArchivedMail[] = [];
  // Attachments wait in temp files until the threads are read.
  const parsed: ParsedMail[] = [];
  try {
    return await learnThreads(deps, archive, progress, threads, caseOfMessage, unplaced, parsed);
  } finally {
    for (const mail of parsed) deps.codec.release(mail);
  }
}

async function learnThreads(
  deps: LearnArchiveDeps,
  archive: Mailbox,
  progress: LearnProgress,
  threads: Map<string, ArchivedMail[]>,
  caseOfMessage: Map<string, string>,
  unplaced: ArchivedMail[],
  parsed: ParsedMail[],
): Promise<LearnReport> {
  for (const folder of ['inbox', 'sent'] as const) {
    for (const ref of await archive.listNew(folder, null)) {
      const mail = await deps.codec.parse(await archive.fetchRaw(ref), deps.clock());
      parsed.push(mail);
      const item = { mail, arrivedAt: ref.arrivedAt, sent: folder === 'sent' };
      const caseId = findCaseId(mail.subject);
      if (caseId) place(threads, caseOfMessage, caseId, item);
      else unplaced.push(item);
    }
  }
  // A reply whose subject lost the case id still belongs to the thread it answers.
  let notCases = 0;
  for (const item of unplaced) {
    const caseId = [item.mail.inReplyTo, ...item.mail.references].map((id) => (id ? caseOfMessage.get(id) : undefined)).find(Boolean);
    if (caseId) place(threads, caseOfMessage, caseId, item);
    else notCases++;
  }

  const report: LearnReport = { mails: parsed.length, threads: threads.size, remembered: [], withoutLogs: [], open: [], notCases };
  const normalTemplates = deps.memory.normalTemplates();
  let done = 0;
  for (const [caseId, items] of [...threads.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    progress(done, threads.size, caseId);
    const thread = await threadOf(deps, caseId, items);
    if (thread) {
      deps.memory.remember(
        rememberCase(thread, deps.knowledge, synonymsOf(deps.knowledge), { normalTemplates }),
        deps.clock().toISOString(),
      );
      report.remembered.push(caseId);
      if (thread.analyses.length === 0) report.withoutLogs.push(caseId);
    } else report.open.push(caseId);
    progress(++done, threads.size, caseId);
  }
  return report;
}

function place(threads: Map<string, ArchivedMail[]>, caseOfMessage: Map<string, string>, caseId: string, item: ArchivedMail): void {
  const list = threads.get(caseId) ?? [];
  // The same mail in two folders (INBOX and a case folder) counts once.
  if (!list.some((m) => m.mail.messageId === item.mail.messageId)) list.push(item);
  threads.set(caseId, list);
  caseOfMessage.set(item.mail.messageId, caseId);
}

async function threadOf(deps: LearnArchiveDeps, caseId: string, items: ArchivedMail[]) {
  const ordered = [...items].sort((a, b) => a.mail.date.localeCompare(b.mail.date) || a.arrivedAt.localeCompare(b.arrivedAt));
  const ours = (m: ArchivedMail) => m.sent || isOurAddress(deps.settings, m.mail.from);
  const outbound = ordered.filter(ours);
  const closing = [...outbound].reverse().find((m) => closureSummary(m.mail.text) !== null);
  if (!closing) return null;
  const inbound = ordered.filter((m) => !ours(m));
  const analyses: Analysis[] = [];
  for (const m of inbound) {
    // Only what the archived mails carry: old portal links are not fetched again.
    const { artifacts } = await readBundles(deps, m.mail, caseId, { attachmentsOnly: true });
    for (const a of artifacts) if (a.analysis) analyses.push(a.analysis);
  }
  return {
    caseId,
    subject: ordered[0]!.mail.subject,
    closedAt: closing.mail.date,
    problem: inbound[0] ? ownText(inbound[0].mail.text) : '',
    analyses,
    sentTexts: outbound.map((m) => ownText(m.mail.text)),
    summary: closureSummary(closing.mail.text),
    customerConfirmed: inbound.some((m) => isSuccessReport(ownText(m.mail.text), deps.settings.successPhrases)),
    fixedBy: [],
  };
}
