// What every Mailbox adapter must do, as one suite run against each (in the manner of Hono's
// router `common.case.test.ts`): new mail by cursor, drafts, Message-IDs, big mails, refusals.
// Mail is delivered the way an MTA does it, by writing a file into the folder's Maildir (Dovecot
// keeps its mail in one), so the same names reach both adapters. An adapter skips a case only
// with its reason.

import fs from 'node:fs';
import path from 'node:path';
import type { FolderRole, Mailbox, MailRef } from '../../src/ports/mailbox';

export interface MailboxUnderTest {
  mailbox: Mailbox;
  /** The Maildir the adapter's mail lives in (INBOX at the root, `.Sent`, `.Drafts`). */
  maildir: string;
  close(): Promise<void>;
}

export type ContractCase =
  | 'new mail after the cursor'
  | 'same second, names that sort wrongly as strings'
  | 'a name from another clock'
  | 'resume from a cursor mid-listing'
  | 'nothing marked seen'
  | 'drafts appended, found and removed'
  | 'Message-ID written another way'
  | 'a big mail fetched to a file'
  | 'a draft the server refuses'
  | 'a sent copy filed as seen';

const FOLDER_DIR: Record<FolderRole, string> = { inbox: '', sent: '.Sent' };

let serial = 0;
function mail(subject: string, extra = ''): Buffer {
  const id = `contract-${process.pid}-${++serial}@example.cn`;
  return Buffer.from(
    `Message-ID: <${id}>\r\nFrom: a@example.cn\r\nTo: b@example.cn\r\nSubject: ${subject}\r\nDate: Mon, 18 Apr 2022 10:12:36 +0800\r\n\r\n${extra}body ${serial}\r\n`,
  );
}

/** As an MTA delivers: the whole file in tmp/, then renamed into new/ under its unique name. */
function deliver(maildir: string, folder: FolderRole, name: string, raw: Buffer): void {
  const dir = path.join(maildir, FOLDER_DIR[folder]);
  // Owned like the mailbox (Dovecot runs as nobody and must be able to move the file).
  const { uid, gid } = fs.statSync(maildir);
  for (const sub of ['tmp', 'new', 'cur']) {
    if (fs.existsSync(path.join(dir, sub))) continue;
    fs.mkdirSync(path.join(dir, sub), { recursive: true, mode: 0o700 });
    fs.chownSync(path.join(dir, sub), uid, gid);
  }
  const tmp = path.join(dir, 'tmp', name);
  fs.writeFileSync(tmp, raw);
  fs.chownSync(tmp, uid, gid);
  fs.renameSync(tmp, path.join(dir, 'new', name));
}

const subjects = async (m: Mailbox, refs: MailRef[]) =>
  Promise.all(refs.map(async (r) => /Subject: (.*)\r\n/.exec((await m.fetchRaw(r)).toString())![1]));

export function mailboxContract(
  adapter: string,
  open: () => Promise<MailboxUnderTest>,
  skips: Partial<Record<ContractCase, string>> = {},
): void {
  describe(`Mailbox contract: ${adapter}`, () => {
    let t: MailboxUnderTest;
    beforeEach(async () => {
      t = await open();
    });
    afterEach(async () => {
      await t.close();
    });
    const it = (name: ContractCase, fn: () => Promise<void>) =>
      skips[name] ? test.skip(`${name} — skipped: ${skips[name]}`, fn) : test(name, fn, 30_000);
    const last = (refs: MailRef[]) => refs[refs.length - 1]!.cursor;

    it('new mail after the cursor', async () => {
      deliver(t.maildir, 'inbox', '1700000000.M100000P1.mx', mail('one'));
      deliver(t.maildir, 'inbox', '1700000001.M100000P1.mx', mail('two'));
      const first = await t.mailbox.listNew('inbox', null);
      expect(await subjects(t.mailbox, first)).toEqual(['one', 'two']);
      expect(await t.mailbox.listNew('inbox', last(first))).toEqual([]);
      deliver(t.maildir, 'inbox', '1700000002.M100000P1.mx', mail('three'));
      const next = await t.mailbox.listNew('inbox', last(first));
      expect(await subjects(t.mailbox, next)).toEqual(['three']);
      expect(await t.mailbox.listNew('inbox', last(next))).toEqual([]);
    });

    it('same second, names that sort wrongly as strings', async () => {
      // Dovecot and Postfix name mail `<sec>.M<µs>P<pid>`, µs unpadded: M1000 sorts before M999.
      deliver(t.maildir, 'inbox', '1700000000.M999P100.mx', mail('first'));
      const cursor = last(await t.mailbox.listNew('inbox', null));
      deliver(t.maildir, 'inbox', '1700000000.M1000P100.mx', mail('second'));
      deliver(t.maildir, 'inbox', '1700000000.M10000P100.mx', mail('third'));
      expect((await subjects(t.mailbox, await t.mailbox.listNew('inbox', cursor))).sort()).toEqual(['second', 'third']);
    });

    it('a name from another clock', async () => {
      deliver(t.maildir, 'inbox', '1700000000.M100000P1.mx', mail('here'));
      const cursor = last(await t.mailbox.listNew('inbox', null));
      // Delivered later by a host whose clock is years behind.
      deliver(t.maildir, 'inbox', '1500000000.M1P1.otherhost', mail('late'));
      expect(await subjects(t.mailbox, await t.mailbox.listNew('inbox', cursor))).toEqual(['late']);
    });

    it('resume from a cursor mid-listing', async () => {
      for (const s of ['a', 'b', 'c']) deliver(t.maildir, 'inbox', `17000000${s.charCodeAt(0)}.M1P1.mx`, mail(s));
      const all = await t.mailbox.listNew('inbox', null);
      // A crash after the first was handled: the rest, and only the rest.
      expect(await subjects(t.mailbox, await t.mailbox.listNew('inbox', all[0]!.cursor))).toEqual(['b', 'c']);
    });

    it('nothing marked seen', async () => {
      deliver(t.maildir, 'inbox', '1700000000.M1P1.mx', mail('unread'));
      const refs = await t.mailbox.listNew('inbox', null);
      await t.mailbox.fetchRaw(refs[0]!);
      await t.mailbox.fetchHeader(refs[0]!);
      const names = ['new', 'cur'].flatMap((sub) => fs.readdirSync(path.join(t.maildir, sub)));
      expect(names.filter((n) => /:2,[A-Z]*S/.test(n))).toEqual([]);
    });

    it('drafts appended, found and removed', async () => {
      const [a, b] = [mail('draft a'), mail('draft b')];
      const id = (raw: Buffer) => /Message-ID: <([^>]+)>/.exec(raw.toString())![1]!;
      expect(await t.mailbox.appendDrafts([a, b])).toEqual([]);
      expect([...(await t.mailbox.draftMessageIds())].sort()).toEqual([id(a), id(b)].sort());
      expect(await t.mailbox.removeDraft(id(a))).toBe(true);
      expect(await t.mailbox.removeDraft(id(a))).toBe(false);
      expect([...(await t.mailbox.draftMessageIds())]).toEqual([id(b)]);
    });

    it('Message-ID written another way', async () => {
      // Lower case, folded onto the next line: the same header.
      const raw = Buffer.from('Message-Id:\r\n <Folded.ID@example.cn>\r\nSubject: folded\r\n\r\nbody\r\n');
      await t.mailbox.appendDrafts([raw]);
      expect(await t.mailbox.draftMessageIds()).toContain('Folded.ID@example.cn');
      expect(await t.mailbox.removeDraft('Folded.ID@example.cn')).toBe(true);
    });

    it('a big mail fetched to a file', async () => {
      const raw = mail('big', `${'0123456789abcdef'.repeat(64)}\r\n`.repeat(6 * 1024));
      deliver(t.maildir, 'inbox', '1700000000.M1P1.mx', raw);
      const [ref] = await t.mailbox.listNew('inbox', null);
      expect(ref!.size).toBe(raw.length);
      const file = path.join(fs.mkdtempSync(path.join(t.maildir, '..', 'fetch-')), 'mail.eml');
      await t.mailbox.fetchToFile(ref!, file);
      expect(fs.readFileSync(file).equals(raw)).toBe(true);
      const header = await t.mailbox.fetchHeader(ref!);
      expect(header.toString()).toBe(raw.toString().slice(0, raw.indexOf('\r\n\r\n') + 4));
    });

    it('a draft the server refuses', async () => {
      // The suite's server refuses mail over 64 KB (quota_max_mail_size).
      const small = mail('fits');
      const big = mail('too big', 'x'.repeat(100 * 1024));
      const refused = await t.mailbox.appendDrafts([small, big]);
      expect(refused.map((r) => r.index)).toEqual([1]);
      expect(refused[0]!.reason).toMatch(/size|large/i);
      expect((await t.mailbox.draftMessageIds()).size).toBe(1);
    });

    it('a sent copy filed as seen', async () => {
      await t.mailbox.appendSent(mail('sent copy'));
      const names = ['new', 'cur'].flatMap((sub) => fs.readdirSync(path.join(t.maildir, '.Sent', sub)));
      expect(names).toHaveLength(1);
      expect(names[0]).toMatch(/:2,[A-Z]*S[A-Z]*$/);
    });
  });
}
