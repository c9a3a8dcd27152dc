/**
 * Smoke test for the Dovecot test harness: a real server starts, accepts imapflow logins,
 * stores messages in INBOX and Drafts, and keeps them across restart().
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ImapFlow } from 'imapflow';
import { startDovecot, type DovecotServer } from '../helpers/dovecot';

jest.setTimeout(30_000);

const MESSAGE = [
  'From: Customer <customer@example.test>',
  'To: Support <support@example.test>',
  'Subject: Upgrade fails with 0xC1900101',
  'Message-ID: <harness-smoke-1@example.test>',
  'Date: Tue, 25 Nov 2025 10:00:00 +0000',
  'MIME-Version: 1.0',
  'Content-Type: text/plain; charset=utf-8',
  '',
  'The feature update rolls back at 35%.',
  '',
].join('\r\n');

function client(server: DovecotServer): ImapFlow {
  return new ImapFlow({
    host: server.host,
    port: server.port,
    secure: false,
    auth: { user: server.user, pass: server.password },
    logger: false,
  });
}

/** Fetches one message's raw source by UID from `mailbox`. */
async function fetchSource(imap: ImapFlow, mailbox: string, uid: number): Promise<string> {
  const lock = await imap.getMailboxLock(mailbox);
  try {
    const msg = await imap.fetchOne(String(uid), { source: true, flags: true }, { uid: true });
    if (msg === false || msg.source === undefined) throw new Error(`UID ${uid} not found in ${mailbox}`);
    return msg.source.toString('utf8');
  } finally {
    lock.release();
  }
}

describe('Dovecot test harness', () => {
  let server: DovecotServer | undefined;
  let imap: ImapFlow | undefined;

  afterAll(async () => {
    await imap?.logout().catch(() => undefined);
    await server?.stop();
  });

  it('serves IMAP, stores messages and keeps them across restart()', async () => {
    server = await startDovecot();
    expect(server.host).toBe('127.0.0.1');
    expect(server.port).toBeGreaterThan(0);

    imap = client(server);
    await imap.connect();

    const boxes = await imap.list();
    const drafts = boxes.find((b) => b.specialUse === '\\Drafts');
    expect(drafts).toBeDefined();
    const draftsPath = drafts!.path;

    const inInbox = await imap.append('INBOX', MESSAGE);
    const inDrafts = await imap.append(draftsPath, MESSAGE, ['\\Draft']);
    if (inInbox === false || inDrafts === false) throw new Error('APPEND failed');
    expect(inInbox.uid).toEqual(expect.any(Number));
    expect(inDrafts.uid).toEqual(expect.any(Number));
    const inboxUid = inInbox.uid!;
    const draftUid = inDrafts.uid!;

    expect(await fetchSource(imap, 'INBOX', inboxUid)).toContain('Subject: Upgrade fails with 0xC1900101');
    expect(await fetchSource(imap, draftsPath, draftUid)).toContain('rolls back at 35%');

    // Maildir++ layout on disk: Drafts is the ".Drafts" subfolder of the Maildir root.
    expect(fs.existsSync(path.join(server.maildir, '.Drafts', 'cur'))).toBe(true);

    await imap.logout();
    imap = undefined;

    const portBefore = server.port;
    await server.restart();
    expect(server.port).toBe(portBefore);

    imap = client(server);
    await imap.connect();
    expect(await fetchSource(imap, 'INBOX', inboxUid)).toContain('Message-ID: <harness-smoke-1@example.test>');

    const lock = await imap.getMailboxLock(draftsPath);
    try {
      const draft = await imap.fetchOne(String(draftUid), { source: true, flags: true }, { uid: true });
      expect(draft).not.toBe(false);
      if (draft !== false) {
        expect(draft.flags?.has('\\Draft')).toBe(true);
        expect(draft.source?.toString('utf8')).toContain('rolls back at 35%');
      }
    } finally {
      lock.release();
    }
    await imap.logout();
    imap = undefined;

    const baseDir = server.baseDir;
    await server.stop();
    expect(fs.existsSync(baseDir)).toBe(false);
    server = undefined;
  });
});
