// The mailbox contract on the IMAP adapter, against a real Dovecot on loopback whose quota
// refuses mail over 64 KB. Mail is delivered into Dovecot's own Maildir, as its LDA would.

import { ImapMailbox } from '../../src/adapters/imap/imap-mailbox';
import { startDovecot, type DovecotServer } from '../helpers/dovecot';
import { quiet } from '../helpers/run-pass';
import { mailboxContract } from './mailbox.contract';

let server: DovecotServer | null = null;

afterAll(async () => {
  await server?.stop();
});

mailboxContract('IMAP (Dovecot)', async () => {
  // A fresh mailbox per case: the previous one's mail would be listed again.
  await server?.stop();
  server = await startDovecot({
    config: 'mail_plugins = $mail_plugins quota\nplugin {\n  quota = maildir:User quota\n  quota_max_mail_size = 64k\n}\n',
  });
  const s = server;
  const mailbox = new ImapMailbox(
    {
      host: s.host,
      port: s.port,
      secure: false,
      user: s.user,
      password: s.password,
      tokens: null,
      folders: { inbox: 'INBOX' },
      pollMs: 1000,
      idle: false,
    },
    quiet,
  );
  await mailbox.open();
  return { mailbox, maildir: s.maildir, close: () => mailbox.close() };
});
