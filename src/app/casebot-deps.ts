// Everything the app layer works with: ports, knowledge, templates, settings and the clock.

import type { AnalyzeOptions } from '../core/analyze/analyze-bundle';
import type { Knowledge } from '../core/analyze/knowledge';
import type { DigestSettings } from '../core/digest/build-digest';
import type { RenderDigest } from '../core/digest/render-digest';
import type { TemplateSentence } from '../core/draft/edit-summary';
import type { DigestSchedule } from '../core/digest/schedule';
import type { RenderTemplate } from '../core/draft/templates';
import type { PortalLinkRules } from '../core/intake/portal-links';
import type { BundleFetcher } from '../ports/bundle-fetcher';
import type { BundleReader } from '../ports/bundle-reader';
import type { CaseMemory } from '../ports/case-memory';
import type { CaseStore } from '../ports/case-store';
import type { Logger } from '../ports/logger';
import type { MailCodec } from '../ports/mail-codec';
import type { MailSender } from '../ports/mail-sender';
import type { Mailbox } from '../ports/mailbox';
import type { Scratch } from '../ports/scratch';
import type { SenderVerifier } from '../ports/sender-verifier';
import type { UploadDrop } from '../ports/upload-drop';
import type { TeamSettings } from './team-settings';

export interface CommandSettings {
  trustedAuthservIds: string[];
  dailyCapPerRecipient: number;
}

export interface Limits {
  /** Time budget of one mail (fetch, parse, bundles, analysis); past it the mail is quarantined. */
  mailSeconds: number;
}

/** Where logs come from besides attachments, and what a mail may weigh. */
export interface Intake {
  /** A mail bigger than this is not downloaded (its header is read, the draft asks for an upload). */
  maxMailBytes: number;
  /** Downloads links to the upload portal; null when the portal's links are not downloaded. */
  fetcher: BundleFetcher | null;
  links: PortalLinkRules;
  /** The team's copy of the portal's uploads; null when there is none. */
  drop: UploadDrop | null;
  scratch: Scratch;
}

export interface SendSettings {
  maxAttempts: number;
  retrySeconds: number;
}

export interface CasebotDeps {
  mailbox: Mailbox;
  store: CaseStore;
  /** Closed cases remembered per finding: similar past cases for engineers, never for drafts. */
  memory: CaseMemory;
  codec: MailCodec;
  bundles: BundleReader;
  intake: Intake;
  knowledge: Knowledge;
  analysis: Pick<AnalyzeOptions, 'ansiCodePage'>;
  render: RenderTemplate;
  /** The templates' own sentences: what an engineer's edits are counted against (stats), never customer text. */
  templateSentences: TemplateSentence[];
  settings: TeamSettings;
  commands: CommandSettings;
  /** Null when no SMTP server is configured: nothing can be sent, /send says so. */
  sender: MailSender | null;
  send: SendSettings;
  limits: Limits;
  /** Null unless casebot verifies DKIM/SPF/DMARC itself. */
  verifier: SenderVerifier | null;
  renderDigest: RenderDigest;
  /** Null when no digest schedule is configured (the digest can still be asked for). */
  digest: (DigestSettings & DigestSchedule & { team: boolean }) | null;
  clock: () => Date;
  log: Logger;
}

export interface PassReport {
  ingested: number;
  unmatched: number;
  duplicates: number;
  failed: number;
  commands: number;
  drafts: { caseId: string; kind: string; messageId: string }[];
  retired: number;
  sent: number;
}

export function emptyReport(): PassReport {
  return { ingested: 0, unmatched: 0, duplicates: 0, failed: 0, commands: 0, drafts: [], retired: 0, sent: 0 };
}
