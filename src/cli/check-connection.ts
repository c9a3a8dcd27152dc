// `casebot check --connect`: logs in with the configured credentials and looks at what casebot
// will use, so a wrong password or folder shows before the first run rather than as a failing
// pass. It changes nothing: it creates no folder (where a run would make a missing Drafts), and
// its test draft is removed at once.

import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ImapFlow, type ListResponse } from 'imapflow';
import { imapLogin } from '../adapters/imap/imap-mailbox';
import { PacedSmtpSender } from '../adapters/smtp/paced-smtp-sender';
import type { Config } from '../config/load';
import type { ConfigFile } from '../config/schema';
import { accessTokens } from '../main';
import { plural } from './plural';

export interface CheckLine {
  ok: boolean;
  text: string;
}

type ImapConfig = Extract<ConfigFile['mailbox'], { kind: 'imap' }>['imap'];

/** A server that does not answer must not hang the check. */
const TIMEOUT_MS = 15_000;

const pass = (text: string): CheckLine => ({ ok: true, text });
const fail = (text: string): CheckLine => ({ ok: false, text });

export async function checkConnection(config: Config): Promise<CheckLine[]> {
  const lines = config.mailbox.kind === 'imap' ? await checkImap(config.mailbox.imap, config) : [checkMaildir(config.mailbox.maildir.path)];
  if (config.smtp) lines.push(await checkSmtp(config));
  return lines;
}

function checkMaildir(root: string): CheckLine {
  const ok = ['cur', 'new'].every((d) => fs.existsSync(path.join(root, d)));
  return ok ? pass(`Maildir ${root}: found (no server to log in to)`) : fail(`Maildir ${root}: not a Maildir (no cur/ and new/)`);
}

async function checkImap(imap: ImapConfig, config: Config): Promise<CheckLine[]> {
  const where = `IMAP ${imap.user}@${imap.host}:${imap.port}`;
  // The login a run makes: the password, or an OAuth2 token (fetched from the token endpoint).
  let login;
  try {
    const tokens = accessTokens(imap.oauth2, config.secrets.imapOAuth2, config.secrets.imapAccessToken);
    login = await imapLogin({ ...imap, password: config.secrets.imapPassword?.reveal() ?? null, tokens });
  } catch (err) {
    return [fail(`${where}: no OAuth2 token (${(err as Error).message})`)];
  }
  const client = new ImapFlow({ ...login, connectionTimeout: TIMEOUT_MS, greetingTimeout: TIMEOUT_MS });
  client.on('error', () => undefined); // the call that failed reports it
  try {
    await client.connect();
  } catch (err) {
    client.close(); // a refused login leaves the connection open
    return [fail(`${where}: ${failure(err)}`)];
  }
  try {
    const lines = [pass(`${where}: logged in`)];
    const folders = await client.list();
    const roles = [
      { role: 'inbox', configured: imap.folders.inbox, specialUse: null },
      { role: 'sent', configured: imap.folders.sent, specialUse: '\\Sent' },
      { role: 'drafts', configured: imap.folders.drafts, specialUse: '\\Drafts' },
    ] as const;
    for (const r of roles) {
      const found = findFolder(folders, r.configured, r.specialUse);
      if (!found) {
        lines.push(
          fail(
            r.configured
              ? `${r.role}: no folder "${r.configured}" (mailbox.imap.folders.${r.role})`
              : `${r.role}: no folder is marked ${r.specialUse}; set mailbox.imap.folders.${r.role}`,
          ),
        );
        continue;
      }
      lines.push(
        await folderLine(client, r.role, found, r.configured ? `mailbox.imap.folders.${r.role}` : (found.specialUse ?? 'by its name')),
      );
      if (r.role === 'drafts') lines.push(await tryDraft(client, found.path));
    }
    return lines;
  } catch (err) {
    return [fail(`${where}: ${failure(err)}`)];
  } finally {
    await client.logout().catch(() => client.close());
  }
}

/** The folder casebot would use: the configured one, else the one marked for the role (Drafts also by name, as a run does). */
function findFolder(folders: ListResponse[], configured: string | undefined, specialUse: string | null): ListResponse | undefined {
  if (configured)
    return folders.find((f) => f.path === configured || (configured.toUpperCase() === 'INBOX' && f.path.toUpperCase() === 'INBOX'));
  return (
    folders.find((f) => f.specialUse === specialUse) ??
    (specialUse === '\\Drafts' ? folders.find((f) => f.path.toLowerCase() === 'drafts') : undefined)
  );
}

async function folderLine(client: ImapFlow, role: string, folder: ListResponse, how: string): Promise<CheckLine> {
  try {
    const { messages } = await client.status(folder.path, { messages: true });
    return pass(`${role}: "${folder.path}" (${how}), ${plural(messages ?? 0, 'message')}`);
  } catch (err) {
    return fail(`${role}: "${folder.path}" (${how}) cannot be opened: ${failure(err)}`);
  }
}

/** Stores a tiny draft and expunges it (by UID where the server can): the right to append is only known by appending. */
async function tryDraft(client: ImapFlow, folder: string): Promise<CheckLine> {
  const messageId = `<check.${randomUUID()}@casebot.invalid>`;
  const raw = `From: casebot <casebot@casebot.invalid>\r\nSubject: casebot check --connect\r\nMessage-ID: ${messageId}\r\nDate: ${new Date().toUTCString()}\r\n\r\nA test of the right to store drafts, removed at once.\r\n`;
  try {
    // \Deleted from the start: should the removal below fail, mail clients hide it and the next expunge drops it.
    await client.append(folder, raw, ['\\Draft', '\\Seen', '\\Deleted']);
  } catch (err) {
    return fail(`drafts: may not store a draft in "${folder}": ${failure(err)}`);
  }
  const lock = await client.getMailboxLock(folder);
  try {
    const uids = (await client.search({ header: { 'message-id': messageId } }, { uid: true })) || [];
    if (uids.length === 0 || !(await client.messageDelete(uids, { uid: true })))
      return fail(`drafts: the test draft stored in "${folder}" could not be found again to remove it`);
    return pass(`drafts: may store drafts (a test draft was stored and removed)`);
  } catch (err) {
    return fail(`drafts: the test draft stored in "${folder}" could not be removed (it is flagged \\Deleted): ${failure(err)}`);
  } finally {
    lock.release();
  }
}

async function checkSmtp(config: Config): Promise<CheckLine> {
  const smtp = config.smtp!;
  const where = `SMTP ${smtp.user ? `${smtp.user}@` : ''}${smtp.host}:${smtp.port}`;
  // The sender a run uses, with its login (password or OAuth2 token) and TLS rules.
  const sender = new PacedSmtpSender({
    host: smtp.host,
    port: smtp.port,
    secure: smtp.secure,
    user: smtp.user ?? null,
    password: config.secrets.smtpPassword?.reveal() ?? null,
    tokens: accessTokens(smtp.oauth2, config.secrets.smtpOAuth2, null),
    pacing: smtp.pacing,
  });
  try {
    await sender.verify();
    return pass(`${where}: ${smtp.user ? 'logged in' : 'connected (no login configured)'}`);
  } catch (err) {
    return fail(`${where}: ${failure(err)}`);
  } finally {
    await sender.close();
  }
}

/** The reason in a few words: the server's own for a refused login, plain words for the network's errors. */
function failure(err: unknown): string {
  const e = err as Error & { code?: string; authenticationFailed?: boolean; responseText?: string; response?: string };
  const said = e.responseText ?? e.response;
  if (e.authenticationFailed || e.code === 'EAUTH') return `login refused${said ? ` (${said})` : ''}`;
  const text = `${e.code ?? ''} ${e.message}`;
  if (/ECONNREFUSED/.test(text)) return 'connection refused';
  if (/ENOTFOUND|EAI_AGAIN/.test(text)) return 'unknown host';
  if (/ETIMEDOUT|timed? ?out/i.test(text)) return 'no answer (timed out)';
  return said ?? e.message;
}
