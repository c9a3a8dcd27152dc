// The mailbox contract on the Maildir adapter.

import { MaildirMailbox } from '../../src/adapters/maildir/maildir-mailbox';
import { tempMaildir } from '../helpers/temp-maildir';
import { mailboxContract } from './mailbox.contract';

mailboxContract(
  'Maildir',
  async () => {
    const maildir = tempMaildir();
    const mailbox = new MaildirMailbox(maildir);
    await mailbox.open();
    return { mailbox, maildir, close: () => mailbox.close() };
  },
  { 'a draft the server refuses': 'a folder refuses nothing: a write that fails is a fault of the file system and throws' },
);
