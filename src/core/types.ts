// Plain data shared by the core, the ports and the adapters. No behaviour here.

import type { Problem } from './intake/problem';

export interface MailAddress {
  name: string;
  address: string;
}

/** An attachment, streamed to a private temp file while the mail was parsed: never held whole. */
export interface MailAttachment {
  /** As the customer named it. */
  filename: string;
  contentType: string;
  size: number;
  /** Of the bytes. */
  sha256: string;
  /** Absolute path of the temp file; the mail adapter removes it once the mail is handled. */
  file: string;
}

/** A mail as the core sees it: parsed at the edge, identity computed, nothing lazy. */
export interface ParsedMail {
  /** Message-ID without angle brackets; synthesised from the raw hash when missing. */
  messageId: string;
  /** SHA-256 of the raw bytes: with the Message-ID, the mail's identity. */
  rawHash: string;
  subject: string;
  from: MailAddress | null;
  to: MailAddress[];
  cc: MailAddress[];
  /** ISO 8601; the Date header, or the time it was read when the header is missing or broken. */
  date: string;
  inReplyTo: string | null;
  references: string[];
  text: string;
  /** The HTML part, when there is one (links to the upload portal are often only there). */
  html: string | null;
  attachments: MailAttachment[];
  /** Authentication-Results header values, as received (trust is decided later). */
  authResults: string[];
  /** casebot's own loop header: set on every mail casebot writes. */
  loopHeader: string | null;
  /** Headers that tell machine mail: Auto-Submitted, Precedence, X-Autoreply, X-Failed-Recipients, Content-Type (lower-cased names). */
  autoHeaders: Record<string, string>;
}

/** One entry of a case's append-only event log: who did what, when, to which mail. */
/** Every kind of event casebot records; each has its Chinese label (commands/event-view.ts). */
export const EVENT_TYPES = [
  'case-opened',
  'mail-received',
  'reply-seen',
  'mail-unmatched',
  'own-mail-ignored',
  'duplicate-message-id',
  'machine-mail',
  'bounce',
  'mail-quarantined',
  'quarantine-replayed',
  'mailbox-fault',
  'draft-created',
  'draft-stored',
  'draft-refused',
  'draft-failed',
  'draft-sent',
  'draft-retired',
  'draft-replaced',
  'draft-removed',
  'draft-discarded',
  'draft-deleted',
  'command',
  'command-refused',
  'command-ignored',
  'note',
  'send-queued',
  'mail-sent',
  'send-failed',
  'engineer-mail-capped',
  'digest-queued',
  'case-closed',
  'case-reopened',
  'case-snoozed',
  'memory-lookup',
  'fixed-by',
  'memory-feedback',
] as const;

export type EventType = (typeof EVENT_TYPES)[number];

/** What a mail's logs came to, as its `mail-received` (or `reply-seen`) event records it. */
export interface BundleRecord {
  file: string;
  sha256: string | null;
  reused: boolean;
  verdict: Verdict | null;
  findings: string[];
  problems: Problem[];
}

/** Where a mail was, on the events of mail casebot did not take into a case. */
interface MailPlace {
  folder: string;
  ref: string;
}

/** The detail each kind of event carries. Events read back from an older database may lack newer fields. */
export interface EventDetails {
  'case-opened': { subject: string };
  'mail-received': { subject: string; successReport: boolean; bundles: BundleRecord[]; notDownloaded?: { size: number; limit: number } };
  'reply-seen': EventDetails['mail-received'];
  'mail-unmatched': { subject: string; folder: string };
  'own-mail-ignored': MailPlace & { subject: string };
  'duplicate-message-id': { original: string; folder: string };
  'machine-mail': { kind: string; subject: string; returned: string | null; failedRecipients: string | null };
  bounce: EventDetails['machine-mail'];
  'mail-quarantined': MailPlace & { reason: string };
  'quarantine-replayed': { id: number; reason: string };
  'mailbox-fault': { error: string; configuration?: boolean };
  'draft-created': { kind: string; reason: string; answers: string; findings: string[] };
  'draft-stored': { kind: string; adopted?: boolean };
  'draft-refused': { kind: string; reason: string };
  'draft-failed': { reason: string };
  'draft-sent': { kind: string; draft: string; edited: boolean; similarity: number; edits?: unknown };
  'draft-retired': { reason: string };
  'draft-replaced': { by: string };
  'draft-removed': { wasInDrafts: boolean };
  'draft-discarded': { kind: string; draft: string };
  'draft-deleted': { kind: string };
  command: { name: string; arg: string; proof: string };
  'command-refused': { reason: string; subject: string };
  'command-ignored': { subject: string; reason: string };
  note: { text: string };
  'send-queued': { kind: string; to: string[] };
  'mail-sent': { purpose: string; to: string };
  'send-failed': { error: string; attempts: number; to: string[] };
  'engineer-mail-capped': { to: string; subject: string };
  'digest-queued': { recipient: string; slot: string | null };
  /** `by` when the case state closed it (a closure sent); `summary` from `/close 总结`. */
  'case-closed': { by?: string; summary?: string };
  'case-reopened': { by?: string };
  'case-snoozed': { until: string | null };
  /** analysisId null: a case without analyzed logs, looked up by its customer's words. */
  'memory-lookup': { analysisId: number | null; similar: { caseId: string; exact: boolean; outcome: string | null; score: number }[] };
  'fixed-by': { finding: string; rule: string | null; key: string | null };
  'memory-feedback': { about: string; useful: boolean };
}

/** One event of a case's timeline (or of the mailbox, with no case): its type says what its detail holds. */
export type CaseEvent = {
  [T in EventType]: { at: string; caseId: string | null; messageId: string | null; actor: string; type: T; detail: EventDetails[T] };
}[EventType];

export type Verdict = 'failed' | 'succeeded' | 'unknown' | 'cancelled' | 'incomplete' | 'not-upgrade' | 'not-setup-log';

/**
 * What a file is, judged by content: Panther-format setup logs (setupact/setuperr, also of
 * sysprep and reset), SetupDiag results (text, XML or JSON), compatibility scan reports
 * (CompatData_*.xml, ScanResult.xml), setupapi.dev.log, miglog.xml, or anything else.
 */
export type LogKind = 'panther' | 'setupdiag' | 'compat-xml' | 'setupapi' | 'miglog' | 'other';

/** A log file of a bundle: read as a stream, possibly more than once, never held whole. */
export interface LogFileInput {
  /** Path inside the bundle, `/`-separated. */
  path: string;
  open(): AsyncIterable<Buffer>;
}

/** A log already in memory (a loose attachment, a test fixture). */
export function logFromBuffer(path: string, bytes: Buffer): LogFileInput {
  return {
    path,
    async *open() {
      yield bytes;
    },
  };
}

export interface Evidence {
  file: string;
  line: number;
  text: string;
  /** The line's `[gle=0x…]` decoded (`gle=0x00000002 ERROR_FILE_NOT_FOUND：系统找不到指定的文件`). */
  gle?: string;
  /** Neighbouring lines, only when asked for (`analyze --explain`). */
  context?: { line: number; text: string }[];
}

export interface FixStep {
  text: string;
  commands: string[];
}

export type Confidence = 'high' | 'medium' | 'low';

export interface Finding {
  rule: string;
  category: string;
  title: string;
  summary: string;
  confidence: Confidence;
  /** Why that confidence, in Chinese: which files and signals agree. */
  confidenceWhy: string;
  /** What it rests on: lines that name the cause itself, or only the run's result codes (a possibility). */
  basis: 'cause' | 'outcome';
  evidence: Evidence[];
  facts: Record<string, string>;
  fix: FixStep[];
  /** Every command of the fix, in order: what `--json` calls `actions`. */
  actions: string[];
  /** One sentence for the closure's 问题总结 when this finding's fix solved the case. */
  resolution: string;
}

export interface FileReport {
  path: string;
  kind: LogKind;
  encoding: string;
  lines: number;
}

/** One run of setup, as far as the logs tell. */
export interface Attempt {
  hostBuild: string | null;
  targetBuild: string | null;
  start: string | null;
  end: string | null;
  phase: string | null;
  operation: string | null;
  resultCode: string | null;
  extendCode: string | null;
  /** The extend code decoded: `0x30018` → FIRST_BOOT … */
  extendPhase: string | null;
  /** … during SYSPREP. */
  extendOperation: string | null;
  rollbacks: number;
}

/**
 * How the run ended, as its own logs state it: what a failed verdict leads with, before any
 * rule's cause. Taken from the last attempt that recorded a result.
 */
export interface Outcome {
  resultCode: string | null;
  /** The result code's meaning in Chinese (codes.yaml), when known. */
  resultMeaning: string | null;
  extendCode: string | null;
  extendPhase: string | null;
  extendOperation: string | null;
  /** The extend code in Chinese: `第一次启动阶段（新系统首次启动、安装驱动），操作：系统准备（sysprep）`. */
  extendMeaning: string | null;
  phase: string | null;
  operation: string | null;
  /** What to ask the customer for when nothing explains the result (knowledge/outcomes.yaml `collectNext`), Chinese. */
  collectNext: string[];
  /** The lines that state the result (error event, ImageExit, Execute result, SetupDiag). */
  evidence: Evidence[];
  /** The earliest fatal error of the failing phase logged before rollback began: the line to read first. */
  decisive: Evidence[];
  /** For a run that never finished: where it was last (a setup phase) and when. */
  lastStep: string | null;
  lastAt: string | null;
}

export interface Analysis {
  verdict: Verdict;
  /** Null when the logs record no run of setup (not a setup log, another tool's log). */
  outcome: Outcome | null;
  /** For `not-upgrade`: what the log records instead (sysprep, WinRE…), in Chinese. */
  scenario: string | null;
  attempts: Attempt[];
  findings: Finding[];
  /** When no rule explains a failure: the error lines most worth reading, harmless noise left out. */
  errorLines: Evidence[];
  files: FileReport[];
  /** Why the bundle could not be (fully) used; each told in Chinese from templates/problems.yaml. */
  problems: Problem[];
}
