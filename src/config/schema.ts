// The configuration file's shape. Unknown keys are errors, so a typo is named, not ignored.
// Secrets are never written in the file: keys ending in `Env` name an environment variable.

import iconv from 'iconv-lite';
import { z } from 'zod';
import { DEFAULT_ANSI_CODE_PAGE } from '../core/analyze/decode-text';
import { portalSchema } from './portal-schema';

const envName = z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'an environment variable name, e.g. CASEBOT_IMAP_PASSWORD');
const email = z.string().email('an email address');

// OAuth2 tokens casebot fetches and refreshes itself (Microsoft 365): the client-credentials flow,
// or a refresh token for delegated access.
const oauth2 = z
  .object({
    tokenUrl: z.string().url('a URL, e.g. https://login.microsoftonline.com/<tenant>/oauth2/v2.0/token'),
    clientId: z.string().min(1),
    clientSecretEnv: envName.optional(),
    refreshTokenEnv: envName.optional(),
    scope: z.string().min(1).default('https://outlook.office365.com/.default'),
  })
  .strict()
  .refine((o) => Boolean(o.clientSecretEnv) || Boolean(o.refreshTokenEnv), {
    message: 'set clientSecretEnv (client credentials) or refreshTokenEnv (delegated access), or both',
    path: ['clientSecretEnv'],
  });

const imap = z
  .object({
    host: z.string().min(1),
    port: z.number().int().min(1).max(65535),
    secure: z.boolean().default(true),
    user: z.string().min(1),
    passwordEnv: envName.optional(),
    accessTokenEnv: envName.optional(),
    oauth2: oauth2.optional(),
    folders: z
      .object({
        inbox: z.string().default('INBOX'),
        // Found by SPECIAL-USE when not set.
        sent: z.string().optional(),
        drafts: z.string().optional(),
      })
      .strict()
      .default({}),
    pollSeconds: z.number().min(1).max(3600).default(60),
    idle: z.boolean().default(true),
  })
  .strict()
  .refine((i) => [i.passwordEnv, i.accessTokenEnv, i.oauth2].filter(Boolean).length === 1, {
    message: 'set exactly one of passwordEnv (password login), accessTokenEnv (a fixed OAuth2 token) or oauth2 (tokens casebot fetches)',
    path: ['passwordEnv'],
  });

const maildir = z
  .object({
    path: z.string().min(1),
    pollSeconds: z.number().min(0.1).max(3600).default(5),
  })
  .strict();

export const configSchema = z
  .object({
    mailbox: z.discriminatedUnion('kind', [
      z.object({ kind: z.literal('maildir'), maildir }).strict(),
      z.object({ kind: z.literal('imap'), imap }).strict(),
    ]),
    store: z.object({ path: z.string().min(1) }).strict(),
    // Both default to casebot's own folders; set them to use an extended copy.
    knowledgeDir: z.string().optional(),
    templatesDir: z.string().optional(),
    team: z
      .object({
        name: z.string().min(1),
        address: email,
        hotline: z.string().min(1),
        website: z.string().min(1),
        // The product customers upgrade to, as drafts name it (V2020-L); left out, drafts say 系统.
        product: z.string().min(1).optional(),
        // Mail from these domains is the team's, whoever wrote it (colleagues come and go);
        // default: the team address's domain.
        domains: z.array(z.string().min(1)).min(1).optional(),
      })
      .strict(),
    engineers: z
      .array(
        z
          .object({
            name: z.string().min(1),
            address: email,
            title: z.string().default('技术支持工程师'),
            default: z.boolean().default(false),
          })
          .strict(),
      )
      .min(1, 'at least one engineer'),
    portal: portalSchema,
    intake: z
      .object({
        // A mail bigger than this (RFC822.SIZE) is not downloaded: it stays in the mailbox,
        // recorded on its case, and the draft asks for a portal upload instead.
        maxMailMB: z.number().min(1).max(2048).default(64),
        // Where the team syncs portal uploads (files or folders named by case id or upload
        // account): looked in when a customer says "已上传" without a link.
        dropFolder: z.string().optional(),
        bundles: z
          .object({
            maxEntries: z.number().int().min(1).default(5000),
            maxFileMB: z.number().min(1).default(512),
            maxTotalMB: z.number().min(1).default(1024),
            maxCompressionRatio: z.number().min(2).default(200),
            maxNestingDepth: z.number().int().min(0).max(10).default(3),
            maxNestedArchives: z.number().int().min(1).default(50),
            toolIdleSeconds: z.number().min(1).max(3600).default(30),
          })
          .strict()
          .default({}),
      })
      .strict()
      .default({}),
    logCollector: z
      .object({
        name: z.string().default('CMGELogCollector'),
        // The collector's zip, attached to scope and log-request drafts (a path from this file's folder).
        attachment: z.string().min(1).optional(),
        // Where customers get it when it is not attached (a portal page, a link).
        download: z.string().min(1).optional(),
      })
      .strict()
      .default({}),
    customers: z
      .array(
        z
          .object({
            name: z.string().min(1),
            domains: z.array(z.string().min(1)).min(1),
            engineer: email.optional(),
            contacts: z.array(z.object({ address: email, salutation: z.string().min(1) }).strict()).default([]),
            upload: z.object({ user: z.string().min(1), passwordEnv: envName }).strict().optional(),
          })
          .strict(),
      )
      .default([]),
    smtp: z
      .object({
        host: z.string().min(1),
        port: z.number().int().min(1).max(65535),
        secure: z.boolean().default(true),
        user: z.string().optional(),
        passwordEnv: envName.optional(),
        oauth2: oauth2.optional(),
        // Pacing of everything casebot sends (bottleneck): at most `maxPerWindow` mails per
        // `windowSeconds`, `maxConcurrent` at once.
        pacing: z
          .object({
            maxPerWindow: z.number().int().min(1).default(30),
            windowSeconds: z.number().min(1).max(3600).default(60),
            maxConcurrent: z.number().int().min(1).max(20).default(2),
          })
          .strict()
          .default({}),
        // Temporary SMTP failures are retried with back-off this many times, then reported.
        maxAttempts: z.number().int().min(1).max(20).default(5),
        retrySeconds: z.number().min(0.1).max(3600).default(30),
      })
      .strict()
      .optional(),
    commands: z
      .object({
        // authserv-ids of our own mail servers: their Authentication-Results headers are trusted.
        trustedAuthservIds: z.array(z.string().min(1)).default([]),
        // Verify DKIM/SPF/DMARC ourselves with mailauth (needs DNS).
        verify: z.boolean().default(false),
        // Mails casebot writes to one engineer per day, at most (Znuny's loop protection).
        dailyCapPerRecipient: z.number().int().min(1).default(40),
      })
      .strict()
      .default({}),
    digest: z
      .object({
        time: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time of day, HH:MM'),
        timezone: z.string().refine((tz) => {
          try {
            new Intl.DateTimeFormat('en-US', { timeZone: tz });
            return true;
          } catch {
            return false;
          }
        }, 'an IANA time zone, e.g. Asia/Shanghai'),
        workingDays: z.array(z.number().int().min(1).max(7)).min(1).default([1, 2, 3, 4, 5]),
        // Waiting on the customer this many days: the digest says to remind them.
        reminderDays: z.number().int().min(1).default(3),
        // No mail either way this many days: the case is stale.
        staleDays: z.number().int().min(1).default(14),
        // Also send one digest of the whole team to the team address.
        team: z.boolean().default(true),
      })
      .strict()
      .optional(),
    analysis: z
      .object({
        // How a log line that is not UTF-8 is read: the customers' Windows ANSI code page.
        ansiCodePage: z
          .string()
          .refine((name) => iconv.encodingExists(name), 'an encoding name iconv-lite knows, e.g. gb18030, windows-1252, shift_jis')
          .default(DEFAULT_ANSI_CODE_PAGE),
      })
      .strict()
      .default({}),
    limits: z
      .object({
        // One mail's time budget (fetch, parse, bundles, analysis); over it, it is quarantined.
        mailSeconds: z.number().min(1).max(3600).default(300),
      })
      .strict()
      .default({}),
    successPhrases: z
      .array(z.string().min(2))
      .default(['升级成功', '升级系统成功', '已经成功', '已成功升级', '问题已解决', '已解决', '可以关闭', '可以结案']),
  })
  .strict()
  .refine((c) => !c.smtp || Boolean(c.smtp.user) === Boolean(c.smtp.passwordEnv || c.smtp.oauth2), {
    message: 'set user and one of passwordEnv or oauth2, or none of them (no SMTP login)',
    path: ['smtp', 'passwordEnv'],
  })
  .refine((c) => !c.smtp || !(c.smtp.passwordEnv && c.smtp.oauth2), {
    message: 'set passwordEnv or oauth2, not both',
    path: ['smtp', 'oauth2'],
  })
  .refine((c) => c.engineers.filter((e) => e.default).length <= 1, {
    message: 'at most one engineer can be the default',
    path: ['engineers'],
  });

export type ConfigFile = z.infer<typeof configSchema>;
export type OAuth2Config = z.infer<typeof oauth2>;
