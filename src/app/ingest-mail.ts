// Takes one new mail into the store: identity, case, bundles, and what it means for the case
// (a customer's mail, an engineer's reply, or an engineer's command). Everything about the mail
// and the folder's cursor is committed in one transaction.

import { caseTitle, findCaseId } from '../core/case/case-id';
import { isSuccessReport } from '../core/case/success-report';
import { parseCommands } from '../core/commands/parse-commands';
import { draftSimilarity } from '../core/draft/similarity';
import { editSummary } from '../core/draft/edit-summary';
import { statusAfterSend } from '../core/stats/draft-outcomes';
import { bouncedMessageId, machineKind, type MachineKind } from '../core/mail/machine-mail';
import { ownText } from '../core/mail/strip-quote';
import type { ParsedMail } from '../core/types';
import { MailboxUnavailable, type MailRef } from '../ports/mailbox';
import type { CaseStore } from '../ports/case-store';
import type { CasebotDeps, PassReport } from './casebot-deps';
import { oversizedIntake, readBundles, type Intake, type ReadBundlesDeps } from './read-bundles';
import { isEngineer, runCommands, type RunCommandsDeps } from './run-commands';
import { customerOf, engineerFor, isOurAddress } from './team-settings';

/** What this module uses of casebot's dependencies (the composition root passes them all). */
export type IngestMailDeps = Pick<
  CasebotDeps,
  'clock' | 'codec' | 'intake' | 'limits' | 'log' | 'mailbox' | 'settings' | 'templateSentences'
> & {
  store: Pick<
    CaseStore,
    | 'caseOfMessages'
    | 'createCase'
    | 'drafts'
    | 'events'
    | 'getCase'
    | 'hasMessage'
    | 'insertArtifact'
    | 'insertMessage'
    | 'markDirty'
    | 'messageRecord'
    | 'outbox'
    | 'quarantine'
    | 'sameMailsSince'
    | 'setCursor'
    | 'transaction'
  >;
} & ReadBundlesDeps &
  RunCommandsDeps;

export interface IngestOptions {
  /** Replaying a quarantined mail: the folder's cursor is already past it and must stay. */
  replay?: boolean;
}

/**
 * Ingests one mail within a time budget. A mail that fails, or runs over the budget, is
 * quarantined with its reason (it stays in the mailbox) and the mailbox moves on.
 */
export async function ingestWithinBudget(
  deps: IngestMailDeps,
  ref: MailRef,
  report: PassReport,
  options: IngestOptions = {},
): Promise<boolean> {
  const budgetMs = deps.limits.mailSeconds * 1000;
  const abandoned = { value: false };
  let timer: NodeJS.Timeout | undefined;
  const overrun = new Promise<'overrun'>((resolve) => {
    timer = setTimeout(() => resolve('overrun'), budgetMs);
  });
  try {
    const outcome = await Promise.race([ingestMail(deps, ref, report, options, abandoned).then(() => 'done' as const), overrun]);
    if (outcome === 'done') return true;
    abandoned.value = true;
    quarantine(deps, ref, null, `处理超过了 ${deps.limits.mailSeconds} 秒的时间限制`, options, report);
  } catch (err) {
    abandoned.value = true;
    if (err instanceof MailboxUnavailable) throw err;
    quarantine(deps, ref, null, (err as Error).message, options, report);
  } finally {
    clearTimeout(timer);
  }
  return false;
}

function quarantine(
  deps: IngestMailDeps,
  ref: MailRef,
  messageId: string | null,
  reason: string,
  options: IngestOptions,
  report: PassReport,
): void {
  const { store } = deps;
  const at = deps.clock().toISOString();
  report.failed++;
  deps.log.error('mail quarantined', { folder: ref.folder, ref: ref.id, reason });
  if (options.replay) return; // it stays quarantined; the replay reports the reason
  store.transaction(() => {
    store.quarantine.add({ folder: ref.folder, mailboxRef: JSON.stringify(ref), messageId, reason, createdAt: at });
    store.events.append({
      at,
      caseId: null,
      messageId,
      actor: 'casebot',
      type: 'mail-quarantined',
      detail: { folder: ref.folder, ref: ref.id, reason },
    });
    store.setCursor(ref.folder, ref.cursor);
  });
}

export async function ingestMail(
  deps: IngestMailDeps,
  ref: MailRef,
  report: PassReport,
  options: IngestOptions = {},
  abandoned = { value: false },
): Promise<void> {
  // Too big to download (RFC822.SIZE): only the header is read; the mail stays where it is.
  const oversized = ref.size > deps.intake.maxMailBytes;
  // Big, but not too big: fetched to a file and streamed through the parser, never held whole.
  const streamed = !oversized && ref.size > STREAM_MAIL_BYTES;
  const folder = streamed ? deps.intake.scratch.folder() : null;
  try {
    let raw: Buffer;
    let mail: ParsedMail;
    try {
      if (folder) await deps.mailbox.fetchToFile(ref, `${folder}/mail.eml`);
      else raw = oversized ? await deps.mailbox.fetchHeader(ref) : await deps.mailbox.fetchRaw(ref);
    } catch (err) {
      // Reading failed: the server's fault, not the mail's. The pass stops; the mail waits.
      throw err instanceof MailboxUnavailable
        ? err
        : new MailboxUnavailable(`cannot read ${ref.folder} ${ref.id}: ${(err as Error).message}`, err);
    }
    // Of a streamed mail only the start is kept: a bounce's returned headers are there.
    if (folder) ({ mail, start: raw } = await deps.codec.parseFile(`${folder}/mail.eml`, deps.clock()));
    else mail = await deps.codec.parse(raw!, deps.clock());
    try {
      await ingestParsed(deps, ref, report, options, abandoned, { bytes: raw!, whole: folder === null }, mail, oversized);
    } finally {
      deps.codec.release(mail);
    }
  } finally {
    if (folder) deps.intake.scratch.remove(folder);
  }
}

/** Mails bigger than this are streamed from a temp file rather than held in memory. */
const STREAM_MAIL_BYTES = 4 * 1024 * 1024;

async function ingestParsed(
  deps: IngestMailDeps,
  ref: MailRef,
  report: PassReport,
  options: IngestOptions,
  abandoned: { value: boolean },
  raw: { bytes: Buffer; whole: boolean },
  parsed: ParsedMail,
  oversized: boolean,
): Promise<void> {
  const { store, log } = deps;
  let mail = parsed;
  const now = deps.clock().toISOString();
  const moveCursor = () => {
    if (!options.replay) store.setCursor(ref.folder, ref.cursor);
  };
  const ignoreOwnMail = () =>
    store.transaction(() => {
      store.events.append({
        at: now,
        caseId: null,
        messageId: mail.messageId,
        actor: 'casebot',
        type: 'own-mail-ignored',
        detail: { folder: ref.folder, ref: ref.id, subject: mail.subject },
      });
      moveCursor();
    });
  const known = store.messageRecord(mail.messageId);
  if (known && (known.rawHash === mail.rawHash || known.folder !== ref.folder)) {
    // The same mail again (a re-scan, or the copy in Sent of a mail also in INBOX).
    report.duplicates++;
    store.transaction(moveCursor);
    return;
  }
  const duplicateOf = known ? mail.messageId : null;
  if (duplicateOf) {
    // Another mail claiming a Message-ID already seen: keep it, under an identity of its own.
    mail = { ...mail, messageId: `${duplicateOf}.dup-${mail.rawHash.slice(0, 12)}` };
    if (store.hasMessage(mail.messageId)) {
      report.duplicates++;
      store.transaction(moveCursor);
      return;
    }
  }
  if (mail.loopHeader !== null && !store.drafts.byMessageId(mail.messageId) && !store.outbox.byMessageId(mail.messageId)) {
    // casebot's own notice to an engineer, come back: never treat it as a case mail.
    ignoreOwnMail();
    return;
  }

  const machine = machineOf(deps, mail, now);
  const bounced = machine === 'bounce' ? bouncedMessageId(raw.bytes.toString('latin1'), mail.messageId) : null;
  const caseId =
    findCaseId(mail.subject) ??
    store.caseOfMessages([...(mail.inReplyTo ? [mail.inReplyTo] : []), ...mail.references, ...(bounced ? [bounced] : [])]);
  const commands = parseCommands(mail.subject);
  const hasCommands = commands.commands.length + commands.errors.length > 0;
  const fromEngineer = isEngineer(deps, mail.from?.address);
  const isCommand = hasCommands && fromEngineer && machine === null && !store.drafts.byMessageId(mail.messageId);
  // What is in Sent went out, whoever's name is on it; a bounce from our own domain's mail
  // system (MAILER-DAEMON@…) is not a colleague writing.
  const ours = ref.folder === 'sent' || (machine === null && isOurAddress(deps.settings, mail.from));
  const direction = isCommand ? 'command' : ours ? 'outbound' : 'inbound';
  const wantsLogs = direction === 'inbound' && caseId !== null && machine === null;
  const bundles: Intake = !wantsLogs
    ? { logAttachments: 0, artifacts: [] }
    : oversized
      ? oversizedIntake(deps, ref.size)
      : await readBundles(deps, mail, caseId);
  if (oversized) log.warn('mail too large, not downloaded', { folder: ref.folder, ref: ref.id, size: ref.size, caseId });
  const successReport = direction === 'inbound' && machine === null && isSuccessReport(ownText(mail.text), deps.settings.successPhrases);
  // Over its time budget the mail was quarantined: nothing of this late run may be committed.
  if (abandoned.value) return;

  store.transaction(() => {
    if (caseId && !store.getCase(caseId)) {
      const customer = customerOf(deps.settings, direction === 'inbound' ? (mail.from ? [mail.from] : []) : [...mail.to, ...mail.cc]);
      store.createCase(
        {
          caseId,
          subject: mail.subject,
          title: caseTitle(mail.subject),
          customer: customer?.name ?? null,
          engineer: engineerFor(deps.settings, customer).address,
        },
        now,
      );
      store.events.append({
        at: now,
        caseId,
        messageId: mail.messageId,
        actor: 'casebot',
        type: 'case-opened',
        detail: { subject: mail.subject },
      });
    }
    const row = store.insertMessage(
      {
        mail,
        caseId,
        folder: ref.folder,
        mailboxRef: JSON.stringify(ref),
        arrivedAt: ref.arrivedAt,
        direction,
        successReport,
        logAttachments: bundles.logAttachments,
        intakeProblems: bundles.artifacts.flatMap((a) => a.problems),
        machine: direction === 'inbound' ? machine : null,
      },
      now,
    );
    const actor = mail.from?.address ?? 'unknown';
    if (duplicateOf)
      store.events.append({
        at: now,
        caseId,
        messageId: mail.messageId,
        actor,
        type: 'duplicate-message-id',
        detail: { original: duplicateOf, folder: ref.folder },
      });
    if (!caseId && direction !== 'command') {
      store.events.append({
        at: now,
        caseId: null,
        messageId: mail.messageId,
        actor,
        type: 'mail-unmatched',
        detail: { subject: mail.subject, folder: ref.folder },
      });
    } else if (caseId && direction !== 'command') {
      for (const a of bundles.artifacts) store.insertArtifact(row, caseId, a, now);
      store.events.append({
        at: now,
        caseId,
        messageId: mail.messageId,
        actor,
        type: direction === 'inbound' ? 'mail-received' : 'reply-seen',
        detail: {
          subject: mail.subject,
          successReport,
          bundles: bundles.artifacts.map((a) => ({
            file: a.filename,
            sha256: a.sha256 || null,
            reused: a.reused ?? false,
            verdict: a.analysis?.verdict ?? null,
            findings: a.analysis?.findings.map((f) => f.rule) ?? [],
            problems: a.problems,
          })),
          ...(oversized ? { notDownloaded: { size: ref.size, limit: deps.intake.maxMailBytes } } : {}),
        },
      });
      if (direction === 'inbound' && machine !== null) {
        store.events.append({
          at: now,
          caseId,
          messageId: mail.messageId,
          actor,
          type: machine === 'bounce' ? 'bounce' : 'machine-mail',
          detail: {
            kind: machine,
            subject: mail.subject,
            returned: bounced,
            failedRecipients: mail.autoHeaders['x-failed-recipients'] ?? null,
          },
        });
      }
      if (direction === 'inbound' && hasCommands && machine === null) {
        // A customer (or anyone not an engineer) wrote a command: it changes nothing.
        store.events.append({
          at: now,
          caseId,
          messageId: mail.messageId,
          actor,
          type: 'command-ignored',
          detail: { subject: mail.subject, reason: 'not an engineer' },
        });
      }
      if (direction === 'outbound') recordWhatWasSent(deps, caseId, mail, now);
      store.markDirty(caseId);
    }
    moveCursor();
  });

  if (direction === 'command') {
    // A command's sender is verified over the whole mail: a big one is read again, whole (rare).
    const whole = raw.whole ? raw.bytes : await deps.mailbox.fetchRaw(ref);
    await runCommands(deps, { mail, raw: whole, caseId, parsed: commands }, report);
  }
  if (caseId || direction === 'command') report.ingested++;
  else report.unmatched++;
  log.info(caseId ? 'mail ingested' : 'mail matched no case', {
    folder: ref.folder,
    caseId,
    direction,
    attachments: bundles.logAttachments,
  });
}

/** The same mail (sender, subject, text) this many times in an hour: a mail loop, not a person. */
const LOOP_THRESHOLD = 5;

function machineOf(deps: IngestMailDeps, mail: ParsedMail, now: string): MachineKind | null {
  const kind = machineKind(mail);
  if (kind || !mail.from) return kind;
  const hourAgo = new Date(Date.parse(now) - 3600000).toISOString();
  return deps.store.sameMailsSince(mail.from.address, mail.subject, mail.text, hourAgo) >= LOOP_THRESHOLD ? 'loop' : null;
}

/**
 * An engineer's reply went out: casebot's draft (same Message-ID), or their own mail answering the
 * same customer mail as the live draft. Either way the draft is done; record how close it was.
 */
function recordWhatWasSent(deps: IngestMailDeps, caseId: string, mail: ParsedMail, at: string): void {
  const { store } = deps;
  const own = store.drafts.byMessageId(mail.messageId);
  // The engineer's client may have saved the edited draft under a new Message-ID (casebot then saw
  // its own copy gone from Drafts): the draft that answered the same mail is still the one sent.
  const live =
    own ??
    store.drafts.live(caseId) ??
    store.drafts.unsentAnswering(caseId, [...(mail.inReplyTo ? [mail.inReplyTo] : []), ...mail.references]);
  if (!live || live.status === 'sent') return;
  const answersSame = own !== null || live.basedOn === mail.inReplyTo || mail.references.includes(live.basedOn);
  if (!answersSame) return;
  const sent = ownText(mail.text);
  const similarity = draftSimilarity(live.bodyText, sent);
  // Counted for `casebot stats`: what changed, and which of casebot's own sentences went.
  const edits = editSummary(ownText(live.bodyText), sent, deps.templateSentences);
  store.drafts.setSent(live.id, statusAfterSend(live.messageId, mail.messageId), mail.messageId, similarity, at);
  store.events.append({
    at,
    caseId,
    messageId: mail.messageId,
    actor: mail.from?.address ?? 'unknown',
    type: 'draft-sent',
    detail: { kind: live.kind, draft: live.messageId, edited: own === null, similarity, edits },
  });
}
