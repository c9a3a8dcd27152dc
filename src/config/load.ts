// Reads a YAML config, validates it, resolves paths against the config file's folder and
// secrets from the environment. Every problem is reported with the key it is at.

import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { configSchema, type ConfigFile } from './schema';
import { zodMessages } from './zod-messages';
import { Secret } from './secret';
import { projectRoot } from './paths';

export interface OAuth2Secrets {
  clientSecret: Secret | null;
  refreshToken: Secret | null;
}

export interface Config extends Omit<ConfigFile, 'knowledgeDir' | 'templatesDir'> {
  knowledgeDir: string;
  templatesDir: string;
  /** Absolute path of the file this came from. */
  file: string;
  secrets: {
    imapPassword: Secret | null;
    imapAccessToken: Secret | null;
    smtpPassword: Secret | null;
    /** The client secret and refresh token of each `oauth2` block. */
    imapOAuth2: OAuth2Secrets | null;
    smtpOAuth2: OAuth2Secrets | null;
    portalUser: Secret | null;
    portalPassword: Secret | null;
    portalToken: Secret | null;
    /** Customer name → upload password for the portal. */
    upload: Map<string, Secret>;
  };
  /** Things that work but an engineer should know about (e.g. an upload password not set). */
  warnings: string[];
}

export class ConfigError extends Error {
  constructor(file: string, readonly problems: string[]) {
    super(`invalid config ${file}:\n${problems.map((p) => `  ✖ ${p}`).join('\n')}`);
  }
}

export function loadConfig(file: string, env: NodeJS.ProcessEnv = process.env): Config {
  const abs = path.resolve(file);
  let raw: unknown;
  try {
    raw = YAML.parse(fs.readFileSync(abs, 'utf8'));
  } catch (err) {
    throw new ConfigError(abs, [(err as Error).message.split('\n')[0] ?? 'unreadable']);
  }
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigError(abs, zodMessages(parsed.error));
  }
  const data = parsed.data;
  const problems: string[] = [];
  const warnings: string[] = [];
  const secret = (name: string | undefined, key: string): Secret | null => {
    if (!name) return null;
    const value = env[name];
    if (value === undefined || value === '') {
      problems.push(`${key}: environment variable ${name} is not set`);
      return null;
    }
    return new Secret(value, name);
  };

  const imap = data.mailbox.kind === 'imap' ? data.mailbox.imap : null;
  const imapPassword = secret(imap?.passwordEnv, 'mailbox.imap.passwordEnv');
  const imapAccessToken = secret(imap?.accessTokenEnv, 'mailbox.imap.accessTokenEnv');
  const smtpPassword = secret(data.smtp?.passwordEnv, 'smtp.passwordEnv');
  const oauth2Secrets = (o: { clientSecretEnv?: string; refreshTokenEnv?: string } | undefined, key: string): OAuth2Secrets | null =>
    o ? { clientSecret: secret(o.clientSecretEnv, `${key}.clientSecretEnv`), refreshToken: secret(o.refreshTokenEnv, `${key}.refreshTokenEnv`) } : null;
  const imapOAuth2 = oauth2Secrets(imap?.oauth2, 'mailbox.imap.oauth2');
  const smtpOAuth2 = oauth2Secrets(data.smtp?.oauth2, 'smtp.oauth2');
  const portalUser = secret(data.portal.userEnv, 'portal.userEnv');
  const portalPassword = secret(data.portal.passwordEnv, 'portal.passwordEnv');
  const portalToken = secret(data.portal.tokenEnv, 'portal.tokenEnv');
  const upload = new Map<string, Secret>();
  data.customers.forEach((c, i) => {
    if (!c.upload) return;
    const value = env[c.upload.passwordEnv];
    if (value) upload.set(c.name, new Secret(value, c.upload.passwordEnv));
    else warnings.push(`customers.${i}.upload.passwordEnv: ${c.upload.passwordEnv} is not set; drafts will ask the engineer to fill in the password`);
  });
  const engineers = new Set(data.engineers.map((e) => e.address.toLowerCase()));
  data.customers.forEach((c, i) => {
    if (c.engineer && !engineers.has(c.engineer.toLowerCase())) problems.push(`customers.${i}.engineer: ${c.engineer} is not listed under engineers`);
  });
  const dir = path.dirname(abs);
  const resolve = (p: string) => path.resolve(dir, p);
  const collectorZip = data.logCollector.attachment ? resolve(data.logCollector.attachment) : null;
  if (collectorZip && !fs.statSync(collectorZip, { throwIfNoEntry: false })?.isFile()) problems.push(`logCollector.attachment: ${collectorZip} is not a file`);
  if (problems.length > 0) throw new ConfigError(abs, problems);

  const mailbox: ConfigFile['mailbox'] =
    data.mailbox.kind === 'maildir'
      ? { kind: 'maildir', maildir: { ...data.mailbox.maildir, path: resolve(data.mailbox.maildir.path) } }
      : data.mailbox;
  return {
    ...data,
    mailbox,
    store: { path: resolve(data.store.path) },
    logCollector: { ...data.logCollector, ...(collectorZip ? { attachment: collectorZip } : {}) },
    intake: { ...data.intake, ...(data.intake.dropFolder ? { dropFolder: resolve(data.intake.dropFolder) } : {}) },
    knowledgeDir: data.knowledgeDir ? resolve(data.knowledgeDir) : path.join(projectRoot(), 'knowledge'),
    templatesDir: data.templatesDir ? resolve(data.templatesDir) : path.join(projectRoot(), 'templates'),
    file: abs,
    secrets: { imapPassword, imapAccessToken, smtpPassword, imapOAuth2, smtpOAuth2, portalUser, portalPassword, portalToken, upload },
    warnings,
  };
}
