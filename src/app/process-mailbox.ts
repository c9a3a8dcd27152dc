// One pass over the mailbox: ingest new mail (Sent, then INBOX) by cursor, decide each touched
// case's next step, then bring the Drafts folder in line with the store. Every step is
// idempotent and committed before the next, so a crash at any point resumes without loss
// or duplicates: the mailbox is only ever read, except for casebot's own drafts.

import { createHash } from 'node:crypto';
import { analyzeBundle } from '../core/analyze/analyze-bundle';
import type { Knowledge } from '../core/analyze/knowledge';
import { caseTitle, findCaseId } from '../core/case/case-id';
import { decideNextStep, type Decision } from '../core/case/next-step';
import { isSuccessReport } from '../core/case/success-report';
import { buildDraft } from '../core/draft/build-draft';
import type { RenderTemplate } from '../core/draft/templates';
import { ownText } from '../core/mail/strip-quote';
import type { ParsedMail } from '../core/types';
import type { BundleReader } from '../ports/bundle-reader';
import type { CaseStore, NewArtifact } from '../ports/case-store';
import type { Logger } from '../ports/logger';
import type { MailCodec } from '../ports/mail-codec';
import type { FolderRole, Mailbox, MailRef } from '../ports/mailbox';
import { customerOf, draftContext, engineerFor, isOurAddress, type TeamSettings } from './team-settings';

export interface CasebotDeps {
  mailbox: Mailbox;
  store: CaseStore;
  codec: MailCodec;
  bundles: BundleReader;
  knowledge: Knowledge;
  render: RenderTemplate;
  settings: TeamSettings;
  clock: () => Date;
  log: Logger;
}

export interface PassReport {
  ingested: number;
  unmatched: number;
  duplicates: number;
  failed: number;
  drafts: { caseId: string; kind: string; messageId: string }[];
  retired: number;
}

/** Sent first, so an engineer's reply is known before the customer mail that follows it. */
const FOLDERS: FolderRole[] = ['sent', 'inbox'];

export async function processMailbox(deps: CasebotDeps): Promise<PassReport> {
  const report: PassReport = { ingested: 0, unmatched: 0, duplicates: 0, failed: 0, drafts: [], retired: 0 };
  // Drafts decided before a crash are stored first.
  await syncDrafts(deps, report);
  for (const folder of FOLDERS) {
    const refs = await deps.mailbox.listNew(folder, deps.store.getCursor(folder));
    for (const ref of refs) await ingestOne(deps, ref, report);
  }
  for (const caseId of deps.store.dirtyCases()) await advanceCase(deps, caseId, report);
  await syncDrafts(deps, report);
  return report;
}

async function ingestOne(deps: CasebotDeps, ref: MailRef, report: PassReport): Promise<void> {
  const { store, log } = deps;
  const now = deps.clock().toISOString();
  let mail: ParsedMail;
  try {
    mail = await deps.codec.parse(await deps.mailbox.fetchRaw(ref), deps.clock());
  } catch (err) {
    // Recorded and skipped: the mail stays in the mailbox for an engineer to look at.
    report.failed++;
    log.error('mail could not be read', { folder: ref.folder, ref: ref.id, error: (err as Error).message });
    store.transaction(() => {
      store.appendEvent({ at: now, caseId: null, messageId: null, actor: 'casebot', type: 'mail-unreadable', detail: { folder: ref.folder, ref: ref.id, error: (err as Error).message } });
      store.setCursor(ref.folder, ref.cursor);
    });
    return;
  }

  if (store.hasMessage(mail.messageId)) {
    report.duplicates++;
    store.transaction(() => store.setCursor(ref.folder, ref.cursor));
    return;
  }

  const direction = isOurAddress(deps.settings, mail.from) ? 'outbound' : 'inbound';
  const caseId = findCaseId(mail.subject) ?? store.caseOfMessages([...(mail.inReplyTo ? [mail.inReplyTo] : []), ...mail.references]);
  const logAttachments = direction === 'inbound' ? mail.attachments.filter((a) => deps.bundles.isLogAttachment(a)) : [];
  const artifacts: NewArtifact[] = [];
  if (caseId) {
    for (const attachment of logAttachments) {
      const contents = await deps.bundles.read(attachment);
      const analysis = contents.files.length > 0 ? await analyzeBundle(contents.files, deps.knowledge) : null;
      artifacts.push({
        filename: attachment.filename,
        sha256: createHash('sha256').update(attachment.content).digest('hex'),
        size: attachment.content.length,
        problems: contents.problems,
        analysis,
      });
    }
  }
  const successReport = direction === 'inbound' && isSuccessReport(ownText(mail.text), deps.settings.successPhrases);

  store.transaction(() => {
    if (caseId && !store.getCase(caseId)) {
      const customer = customerOf(deps.settings, direction === 'inbound' ? (mail.from ? [mail.from] : []) : [...mail.to, ...mail.cc]);
      store.createCase(
        { caseId, subject: mail.subject, title: caseTitle(mail.subject), customer: customer?.name ?? null, engineer: engineerFor(deps.settings, customer).address },
        now,
      );
      store.appendEvent({ at: now, caseId, messageId: mail.messageId, actor: 'casebot', type: 'case-opened', detail: { subject: mail.subject } });
    }
    const row = store.insertMessage(
      {
        mail,
        caseId,
        folder: ref.folder,
        arrivedAt: ref.arrivedAt,
        direction,
        successReport,
        logAttachments: logAttachments.length,
        intakeProblems: artifacts.flatMap((a) => a.problems),
      },
      now,
    );
    const actor = mail.from?.address ?? 'unknown';
    if (!caseId) {
      store.appendEvent({ at: now, caseId: null, messageId: mail.messageId, actor, type: 'mail-unmatched', detail: { subject: mail.subject, folder: ref.folder } });
    } else {
      for (const a of artifacts) store.insertArtifact(row, caseId, a, now);
      store.appendEvent({
        at: now,
        caseId,
        messageId: mail.messageId,
        actor,
        type: direction === 'inbound' ? 'mail-received' : 'reply-seen',
        detail: {
          subject: mail.subject,
          successReport,
          bundles: artifacts.map((a) => ({ file: a.filename, verdict: a.analysis?.verdict ?? null, findings: a.analysis?.findings.map((f) => f.rule) ?? [], problems: a.problems })),
        },
      });
      const draft = direction === 'outbound' ? store.draftByMessageId(mail.messageId) : null;
      if (draft && draft.status !== 'sent') {
        store.setDraftStatus(draft.id, 'sent', now);
        store.appendEvent({ at: now, caseId, messageId: mail.messageId, actor, type: 'draft-sent', detail: { kind: draft.kind } });
      }
      store.markDirty(caseId);
    }
    store.setCursor(ref.folder, ref.cursor);
  });
  if (caseId) report.ingested++;
  else report.unmatched++;
  deps.log.info(caseId ? 'mail ingested' : 'mail matched no case', { folder: ref.folder, caseId, direction, attachments: logAttachments.length });
}

async function advanceCase(deps: CasebotDeps, caseId: string, report: PassReport): Promise<void> {
  const { store } = deps;
  const now = deps.clock();
  const view = store.loadCaseView(caseId);
  const decision: Decision = decideNextStep(view);
  const at = now.toISOString();
  const event = (type: string, detail: Record<string, unknown>, messageId: string | null = null) =>
    store.appendEvent({ at, caseId, messageId, actor: 'casebot', type, detail });

  if (decision.action === 'none') {
    store.transaction(() => store.clearDirty(caseId));
    return;
  }
  if (decision.action === 'retire-draft') {
    store.transaction(() => {
      store.setDraftStatus(decision.draftId, 'retiring', at);
      event('draft-retired', { reason: decision.reason });
      store.clearDirty(caseId);
    });
    return;
  }

  const summary = store.getCase(caseId)!;
  const customer = deps.settings.customers.find((c) => c.name === summary.customer) ?? null;
  const analysis = decision.analysisId === null ? null : store.loadAnalysis(decision.analysisId);
  const draft = buildDraft(
    view,
    { kind: decision.kind, basedOn: decision.basedOn, analysis, rerequestReason: decision.rerequestReason },
    draftContext(deps.settings, summary.engineer, customer),
    deps.render,
    now,
  );
  if (store.draftByMessageId(draft.messageId)) {
    store.transaction(() => store.clearDirty(caseId));
    return;
  }
  const raw = await deps.codec.compose(draft, {
    'X-Casebot-Case': caseId,
    'X-Casebot-Draft': decision.kind,
  });
  store.transaction(() => {
    if (decision.replaces !== null) {
      store.setDraftStatus(decision.replaces, 'retiring', at);
      event('draft-replaced', { by: draft.messageId });
    }
    store.insertDraft({ caseId, kind: decision.kind, messageId: draft.messageId, basedOn: decision.basedOn, raw, createdAt: at });
    event('draft-created', { kind: decision.kind, reason: decision.reason, answers: decision.basedOn, findings: analysis?.findings.map((f) => f.rule) ?? [] }, draft.messageId);
    store.clearDirty(caseId);
  });
  report.drafts.push({ caseId, kind: decision.kind, messageId: draft.messageId });
}

async function syncDrafts(deps: CasebotDeps, report: PassReport): Promise<void> {
  const { store, mailbox } = deps;
  for (const d of store.draftsWithStatus('retiring')) {
    const removed = await mailbox.removeDraft(d.messageId);
    store.transaction(() => {
      store.setDraftStatus(d.id, 'retired', deps.clock().toISOString());
      store.appendEvent({ at: deps.clock().toISOString(), caseId: d.caseId, messageId: d.messageId, actor: 'casebot', type: 'draft-removed', detail: { wasInDrafts: removed } });
    });
    report.retired++;
  }
  for (const d of store.draftsWithStatus('pending')) {
    // A crash after APPEND but before this status change must not store it twice.
    if (!(await mailbox.hasDraft(d.messageId))) await mailbox.appendDraft(d.raw, d.messageId);
    store.transaction(() => {
      store.setDraftStatus(d.id, 'live', deps.clock().toISOString());
      store.appendEvent({ at: deps.clock().toISOString(), caseId: d.caseId, messageId: d.messageId, actor: 'casebot', type: 'draft-stored', detail: { kind: d.kind } });
    });
    deps.log.info('draft stored', { caseId: d.caseId, kind: d.kind, messageId: d.messageId });
  }
}
