// Composition root: config → adapters → app. The only module besides cli/ that knows the
// concrete adapters.

import fs from 'node:fs';
import { ImapMailbox } from './adapters/imap/imap-mailbox';
import { MaildirMailbox } from './adapters/maildir/maildir-mailbox';
import { MimeMailCodec } from './adapters/mime/mail-codec';
import { SqliteCaseStore } from './adapters/sqlite/sqlite-store';
import { SqliteCaseMemory } from './adapters/sqlite/memory-store';
import { StoreLock } from './adapters/sqlite/store-lock';
import { ArchiveBundleReader } from './adapters/bundle/archive-bundle-reader';
import { DropFolder } from './adapters/files/drop-folder';
import { TempScratch } from './adapters/files/scratch-folders';
import { PortalFetcher } from './adapters/http/portal-fetcher';
import type { CasebotDeps } from './app/casebot-deps';
import { MailauthVerifier } from './adapters/mailauth/mailauth-verifier';
import { FixedToken, OAuth2Tokens } from './adapters/oauth/oauth2-tokens';
import { PacedSmtpSender } from './adapters/smtp/paced-smtp-sender';
import type { AccessTokens } from './ports/access-tokens';
import type { SenderVerifier } from './ports/sender-verifier';
import type { TeamSettings } from './app/team-settings';
import type { Config, OAuth2Secrets } from './config/load';
import type { OAuth2Config } from './config/schema';
import type { Secret } from './config/secret';
import type { BundleLimits } from './core/limits';
import { loadKnowledge } from './knowledge/load';
import { loadTemplates, readTemplateSources } from './knowledge/load-templates';
import { compileDigest } from './core/digest/render-digest';
import { templateSentences } from './core/draft/edit-summary';
import type { Logger } from './ports/logger';
import type { Mailbox } from './ports/mailbox';

export interface Casebot extends CasebotDeps {
  store: SqliteCaseStore;
  close(): Promise<void>;
}

export function createCasebot(
  config: Config,
  log: Logger,
  overrides: { mailbox?: Mailbox; clock?: () => Date; verifier?: SenderVerifier } = {},
): Casebot {
  const knowledge = loadKnowledge(config.knowledgeDir);
  const render = loadTemplates(config.templatesDir);
  const templateSources = readTemplateSources(config.templatesDir);
  const store = new SqliteCaseStore(config.store.path);
  // Commands that work the mailbox (run, digest --send, quarantine replay) open it, read-only ones
  // never do: opening it claims the store first, so two casebots never work one store at once.
  let lock: StoreLock | null = null;
  const mailbox = onOpen(overrides.mailbox ?? createMailbox(config, log), () => {
    lock ??= StoreLock.claim(config.store.path);
  });
  const sender = config.smtp
    ? new PacedSmtpSender({
        host: config.smtp.host,
        port: config.smtp.port,
        secure: config.smtp.secure,
        user: config.smtp.user ?? null,
        password: config.secrets.smtpPassword?.reveal() ?? null,
        tokens: accessTokens(config.smtp.oauth2, config.secrets.smtpOAuth2, null),
        pacing: config.smtp.pacing,
      })
    : null;
  return {
    mailbox,
    store,
    memory: new SqliteCaseMemory(store.database),
    sender,
    limits: { mailSeconds: config.limits.mailSeconds },
    analysis: { ansiCodePage: config.analysis.ansiCodePage },
    send: { maxAttempts: config.smtp?.maxAttempts ?? 5, retrySeconds: config.smtp?.retrySeconds ?? 30 },
    commands: { trustedAuthservIds: config.commands.trustedAuthservIds, dailyCapPerRecipient: config.commands.dailyCapPerRecipient },
    verifier: overrides.verifier ?? (config.commands.verify ? new MailauthVerifier() : null),
    renderDigest: compileDigest(templateSources),
    templateSentences: templateSentences(templateSources),
    digest: config.digest ?? null,
    codec: new MimeMailCodec(),
    bundles: new ArchiveBundleReader(bundleLimits(config)),
    intake: {
      maxMailBytes: config.intake.maxMailMB * MB,
      fetcher: portalFetcher(config),
      links: { hosts: config.portal.hosts, pathPatterns: config.portal.pathPatterns },
      drop: config.intake.dropFolder ? new DropFolder(config.intake.dropFolder) : null,
      scratch: new TempScratch(),
    },
    knowledge,
    render,
    settings: teamSettings(config),
    clock: overrides.clock ?? (() => new Date()),
    log,
    async close() {
      await mailbox.close();
      await sender?.close();
      store.close();
      lock?.release();
    },
  };
}

/** The mailbox, with `before` run ahead of each open(). */
function onOpen(mailbox: Mailbox, before: () => void): Mailbox {
  return new Proxy(mailbox, {
    get(target, prop) {
      if (prop === 'open') {
        return async () => {
          before();
          await target.open();
        };
      }
      const value: unknown = Reflect.get(target, prop);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/** OAuth2 tokens casebot fetches itself (`oauth2`), a fixed one (`accessTokenEnv`), or none (a password login). */
export function accessTokens(oauth2: OAuth2Config | undefined, secrets: OAuth2Secrets | null, fixed: Secret | null): AccessTokens | null {
  if (oauth2 && secrets) {
    return new OAuth2Tokens({
      tokenUrl: oauth2.tokenUrl,
      clientId: oauth2.clientId,
      clientSecret: secrets.clientSecret?.reveal() ?? null,
      refreshToken: secrets.refreshToken?.reveal() ?? null,
      scope: oauth2.scope,
    });
  }
  return fixed ? new FixedToken(fixed.reveal()) : null;
}

const MB = 1024 * 1024;

export function bundleLimits(config: Config): BundleLimits {
  const b = config.intake.bundles;
  return {
    maxEntries: b.maxEntries,
    maxFileBytes: b.maxFileMB * MB,
    maxTotalBytes: b.maxTotalMB * MB,
    maxCompressionRatio: b.maxCompressionRatio,
    maxNestingDepth: b.maxNestingDepth,
    maxNestedArchives: b.maxNestedArchives,
    toolIdleSeconds: b.toolIdleSeconds,
  };
}

function portalFetcher(config: Config): PortalFetcher {
  const p = config.portal;
  const { portalUser, portalPassword, portalToken } = config.secrets;
  return new PortalFetcher({
    hosts: p.hosts,
    credentials:
      portalUser && portalPassword
        ? { user: portalUser.reveal(), password: portalPassword.reveal() }
        : portalToken
          ? { token: portalToken.reveal() }
          : null,
    connectTimeoutMs: p.connectTimeoutSeconds * 1000,
    readTimeoutMs: p.readTimeoutSeconds * 1000,
    totalTimeoutMs: p.totalTimeoutSeconds * 1000,
    maxBytes: p.maxMB * MB,
    retries: p.retries,
    backoffMs: p.backoffSeconds * 1000,
    allowLoopback: p.allowLoopback,
  });
}

/** An archive to learn from: a Maildir folder, or a folder of the configured IMAP server (read with its Sent folder). */
export function archiveMailbox(config: Config, log: Logger, source: string): Mailbox {
  if (fs.existsSync(source) && fs.statSync(source).isDirectory()) return new MaildirMailbox(source);
  if (config.mailbox.kind !== 'imap') throw new Error(`${source} is not a folder, and no IMAP server is configured`);
  const imap = { ...config.mailbox.imap, folders: { ...config.mailbox.imap.folders, inbox: source } };
  return createMailbox({ ...config, mailbox: { ...config.mailbox, imap } }, log);
}

export function createMailbox(config: Config, log: Logger): Mailbox {
  const m = config.mailbox;
  if (m.kind === 'maildir') return new MaildirMailbox(m.maildir.path, m.maildir.pollSeconds * 1000);
  return new ImapMailbox(
    {
      host: m.imap.host,
      port: m.imap.port,
      secure: m.imap.secure,
      user: m.imap.user,
      password: config.secrets.imapPassword?.reveal() ?? null,
      tokens: accessTokens(m.imap.oauth2, config.secrets.imapOAuth2, config.secrets.imapAccessToken),
      folders: m.imap.folders,
      pollMs: m.imap.pollSeconds * 1000,
      idle: m.imap.idle,
    },
    log,
  );
}

export function teamSettings(config: Config): TeamSettings {
  return {
    team: config.team,
    teamDomains: config.team.domains ?? [config.team.address.split('@')[1]!],
    engineers: config.engineers,
    portal: config.portal,
    collector: config.logCollector,
    customers: config.customers.map((c) => ({
      name: c.name,
      domains: c.domains,
      engineer: c.engineer ?? null,
      contacts: c.contacts,
      upload: c.upload ? { user: c.upload.user, password: config.secrets.upload.get(c.name)?.reveal() ?? null } : null,
    })),
    successPhrases: config.successPhrases,
  };
}
