// Builds the next reply of a case (headers and Chinese text) from the decision, the case and
// the team's settings. Pure: the caller supplies the templates, the analysis and the clock.

import { createHash } from 'node:crypto';
import { replySubject } from '../case/case-id';
import type { CaseMessage, CaseView, DraftKind } from '../case/case-view';
import type { RerequestReason } from '../case/next-step';
import type { Analysis, Evidence, Finding, MailAddress, Outcome } from '../types';
import { describeProblems, type DescribeProblem, type RenderTemplate } from './templates';
import { consentToClose, followUp, problemDefinition, sentCommands } from './thread-facts';

export interface DraftContext {
  team: { name: string; address: string; hotline: string; website: string; product?: string | undefined };
  engineer: { name: string; address: string; title: string };
  portal: { name: string; url: string };
  /** The log collector: attached (a file path) to scope and log requests, or where to download it. */
  collector: { name: string; attachment?: string | undefined; download?: string | undefined };
  /** Salutation per customer address, e.g. 赵先生. */
  salutations: Map<string, string>;
  upload: { user: string; password: string | null } | null;
}

export interface DraftRequest {
  kind: DraftKind;
  basedOn: string;
  analysis: Analysis | null;
  rerequestReason: RerequestReason | null;
  /** An engineer's own words for the draft (`/logs 原因`, `/close 总结`). */
  engineerText?: string;
  /** Tells apart drafts an engineer asked for from the one casebot made for the same mail. */
  variant?: string;
}

export interface DraftMail {
  messageId: string;
  from: MailAddress;
  to: MailAddress[];
  cc: MailAddress[];
  subject: string;
  inReplyTo: string;
  references: string[];
  date: string;
  text: string;
  /** An HTML alternative (the digest); drafts are plain text. */
  html?: string;
  /** Files sent with it (the log collector), by path. */
  attachments?: { filename: string; path: string }[];
}

/** Templates write this where only an engineer can fill in the text (a password nobody configured). */
export const PLACEHOLDER = '【请工程师填写';
/** Put before an unfinished draft's subject. */
export const UNFINISHED_SUBJECT = '[待填写]';

export function isUnfinished(text: string): boolean {
  return text.includes(PLACEHOLDER);
}

/** How many earlier Message-IDs a reply carries; clients cope with more, some relays don't. */
const MAX_REFERENCES = 20;
/** The closure quotes the first lines of the evidence, as engineers do. */
const CLOSURE_EVIDENCE_LINES = 6;
/** An uncertain diagnosis names its likeliest causes; a longer list reads as guessing. */
const MAX_POSSIBILITIES = 3;

export function buildDraft(view: CaseView, request: DraftRequest, ctx: DraftContext, render: RenderTemplate, now: Date): DraftMail {
  const answered = view.messages.find((m) => m.messageId === request.basedOn);
  if (!answered) throw new Error(`case ${view.caseId} has no message ${request.basedOn}`);
  const attachCollector = collectorAttachment(request.kind, ctx);
  const data = draftData(view, answered, request, ctx, describeProblems(render, ctx.portal));
  const text = render(request.kind, data);
  return {
    messageId: draftMessageId(view.caseId, request, ctx.team.address),
    from: { name: ctx.engineer.name, address: ctx.engineer.address },
    ...recipients(answered, senderOf(answered, view), ctx),
    // Left unfinished (a password nobody configured): the Drafts folder shows it before anyone sends it.
    subject: `${isUnfinished(text) ? `${UNFINISHED_SUBJECT} ` : ''}${replySubject(answered.subject || view.subject)}`,
    inReplyTo: answered.messageId,
    references: [...answered.references.filter((r) => r !== answered.messageId), answered.messageId].slice(-MAX_REFERENCES),
    date: now.toISOString(),
    text,
    ...(attachCollector ? { attachments: [{ filename: fileName(attachCollector), path: attachCollector }] } : {}),
  };
}

/** The collector goes with the mails that ask for logs; a diagnosis only says where to get it. */
function collectorAttachment(kind: DraftKind, ctx: DraftContext): string | null {
  return (kind === 'scope-request' || kind === 'log-rerequest') && ctx.collector.attachment ? ctx.collector.attachment : null;
}

/** What a draft template is rendered with. */
export type DraftData = ReturnType<typeof draftData>;

function draftData(view: CaseView, answered: CaseMessage, request: DraftRequest, ctx: DraftContext, describe: DescribeProblem) {
  const closure = request.kind === 'closure';
  const attachCollector = collectorAttachment(request.kind, ctx);
  return {
    salutation: salutationFor(senderOf(answered, view), ctx),
    team: ctx.team,
    product: ctx.team.product ?? '',
    engineer: ctx.engineer,
    portal: ctx.portal,
    collector: {
      name: ctx.collector.name,
      download: ctx.collector.download ?? '',
      attached: attachCollector ? fileName(attachCollector) : '',
    },
    upload: ctx.upload,
    caseId: view.caseId,
    title: view.title,
    problem: problemDefinition(view),
    findings: (request.analysis?.findings ?? []).map((f) =>
      findingView(f, closure ? CLOSURE_EVIDENCE_LINES : Infinity, closure ? view : null),
    ),
    followUp: request.kind === 'diagnosis' ? followUp(view, answered, request.analysis) : null,
    confirmed: answered.successReport,
    consent: closure && consentToClose(view),
    outcome: request.analysis?.outcome ? outcomeView(request.analysis.outcome) : null,
    // A cause is told as a cause only when some finding has evidence of it; otherwise as possibilities.
    certain: (request.analysis?.findings ?? []).some((f) => f.confidence !== 'low'),
    // What an uncertain diagnosis offers as possible causes: not the `outcome` profiles, which restate the result.
    possibilities: (request.analysis?.findings ?? [])
      .filter((f) => f.category !== 'outcome')
      .slice(0, MAX_POSSIBILITIES)
      .map((f) => ({ title: f.title, why: f.confidenceWhy })),
    // What was refused on the way in (entries, links) and what the analysis met, each once.
    problems: [...new Set([...answered.intakeProblems, ...(request.analysis?.problems ?? [])].map(describe))],
    intakeProblems: answered.intakeProblems.map(describe),
    reason: request.rerequestReason,
    engineerText: request.engineerText ?? '',
    resolution: (closure && request.engineerText) || request.analysis?.findings[0]?.resolution || '问题已解决，升级系统成功。',
  };
}

/** Same case, same answered mail, same kind → same Message-ID, so a re-run never makes a second draft. */
export function draftMessageId(caseId: string, request: Pick<DraftRequest, 'kind' | 'basedOn' | 'variant'>, teamAddress: string): string {
  const digest = createHash('sha256')
    .update(`${caseId}\n${request.basedOn}\n${request.kind}${request.variant ? `\n${request.variant}` : ''}`)
    .digest('hex')
    .slice(0, 16);
  const domain = teamAddress.split('@')[1] ?? 'casebot.invalid';
  return `casebot.${caseId}.${request.kind}.${digest}@${domain}`;
}

/** Who wrote it; when its From could not be read, the customer who last wrote on the thread. */
function senderOf(mail: CaseMessage, view: CaseView): MailAddress | null {
  if (mail.from?.address) return mail.from;
  return [...view.messages].reverse().find((m) => m.direction === 'inbound' && m.machine === null && m.from?.address)?.from ?? null;
}

function salutationFor(sender: MailAddress | null, ctx: DraftContext): string {
  const address = sender?.address.toLowerCase() ?? '';
  return ctx.salutations.get(address) ?? sender?.name ?? '';
}

/** Reply to the sender; keep everyone else the thread had, except the engineer sending it. */
function recipients(mail: CaseMessage, sender: MailAddress | null, ctx: DraftContext): { to: MailAddress[]; cc: MailAddress[] } {
  const to = sender ? [sender] : [];
  const taken = new Set([ctx.engineer.address.toLowerCase(), ...to.map((a) => a.address.toLowerCase())]);
  const cc: MailAddress[] = [];
  for (const a of [...mail.to, ...mail.cc]) {
    const key = a.address.toLowerCase();
    if (taken.has(key)) continue;
    taken.add(key);
    cc.push(a);
  }
  return { to, cc };
}

/** Evidence lines grouped by file, as engineers quote them (`查看…setupact.log文件…`). */
function byFile(evidence: Evidence[], maxLines = Infinity): { file: string; lines: string[] }[] {
  const files: { file: string; lines: string[] }[] = [];
  for (const e of evidence) {
    const file = e.file.replace(/\//g, '\\');
    let group = files.find((g) => g.file === file);
    if (!group) files.push((group = { file, lines: [] }));
    if (group.lines.length < maxLines && !group.lines.includes(e.text)) group.lines.push(e.text);
  }
  return files;
}

function outcomeView(outcome: Outcome) {
  return {
    codes: outcome.resultCode ? `${outcome.resultCode}${outcome.extendCode ? ` - ${outcome.extendCode}` : ''}` : null,
    meaning: outcome.resultMeaning,
    extendMeaning: outcome.extendMeaning,
    files: byFile(outcome.evidence),
    decisive: byFile(outcome.decisive),
    collectNext: outcome.collectNext,
    lastStep: outcome.lastStep,
    lastAt: outcome.lastAt,
  };
}

/** A finding as a template shows it; in a closure (`sentIn`) only the commands that really went out. */
function findingView(finding: Finding, maxLines: number, sentIn: CaseView | null) {
  return {
    title: finding.title,
    summary: finding.summary,
    why: finding.confidenceWhy,
    files: byFile(finding.evidence, maxLines),
    fix: finding.fix.map((s, i) => ({ number: i + 1, ordinal: CHINESE_ORDINALS[i] ?? String(i + 1), text: s.text, commands: s.commands })),
    resolution: finding.resolution,
    facts: finding.facts,
    sentCommands: sentIn
      ? sentCommands(
          sentIn,
          finding.fix.flatMap((s) => s.commands),
        )
      : [],
  };
}

const CHINESE_ORDINALS = ['一', '二', '三', '四', '五', '六', '七', '八', '九', '十'];

function fileName(file: string): string {
  return file.split(/[\\/]/).pop() ?? file;
}
