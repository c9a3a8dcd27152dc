import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SqliteCaseStore } from '../../src/adapters/sqlite/sqlite-store';
import { parsedMail } from '../helpers/parsed-mail';

const at = '2026-11-25T00:00:00.000Z';
const mail = (id: string) =>
  parsedMail({
    messageId: id,
    rawHash: 'h' + id,
    subject: '[案例号: CAS-06079-G5K3W1 ] x',
    from: { name: 'a', address: 'a@b.cn' },
    date: at,
  });

function tempStore(): { store: SqliteCaseStore; file: string } {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'casebot-store-')), 'c.sqlite');
  return { store: new SqliteCaseStore(file), file };
}

test('migrations run once and the schema version persists', () => {
  const { store, file } = tempStore();
  expect(store.schemaVersion).toBeGreaterThan(0);
  const v = store.schemaVersion;
  store.close();
  const again = new SqliteCaseStore(file);
  expect(again.schemaVersion).toBe(v);
  again.close();
});

test('a Message-ID is stored once; the event log is append-only; one live draft per case', () => {
  const { store } = tempStore();
  store.createCase({ caseId: 'CAS-06079-G5K3W1', subject: 's', title: 't', customer: null, engineer: 'e@cmgos.com' }, at);
  const m = {
    mail: mail('m1@x'),
    caseId: 'CAS-06079-G5K3W1',
    folder: 'inbox',
    mailboxRef: '{}',
    arrivedAt: at,
    direction: 'inbound' as const,
    successReport: false,
    logAttachments: 0,
    intakeProblems: [],
  };
  store.insertMessage(m, at);
  expect(() => store.insertMessage(m, at)).toThrow(/UNIQUE/);
  expect(store.caseOfMessages(['nope', 'm1@x'])).toBe('CAS-06079-G5K3W1');

  store.events.append({ at, caseId: null, messageId: null, actor: 't', type: 'note', detail: { text: 'x' } });
  const db = (store as unknown as { db: { exec(sql: string): void } }).db;
  expect(() => db.exec('DELETE FROM events')).toThrow(/append-only/);
  expect(() => db.exec("UPDATE events SET type = 'y'")).toThrow(/append-only/);

  const draft = {
    caseId: 'CAS-06079-G5K3W1',
    kind: 'scope-request' as const,
    basedOn: 'm1@x',
    raw: Buffer.from('x'),
    bodyText: 'x',
    createdAt: at,
  };
  const id = store.drafts.insert({ ...draft, messageId: 'd1' });
  expect(() => store.drafts.insert({ ...draft, messageId: 'd2' })).toThrow(/UNIQUE/);
  store.drafts.setStatus(id, 'retiring', at);
  store.drafts.insert({ ...draft, messageId: 'd2' });
  expect(store.loadCaseView('CAS-06079-G5K3W1').liveDraft?.messageId).toBe('d2');
  store.close();
});

test('a transaction that throws leaves nothing behind', () => {
  const { store } = tempStore();
  expect(() =>
    store.transaction(() => {
      store.setCursor('inbox', '1:5');
      throw new Error('crash');
    }),
  ).toThrow('crash');
  expect(store.getCursor('inbox')).toBeNull();
  store.close();
});

test('a batch groups transactions into few commits; a failing one is undone alone', async () => {
  const { store, file } = tempStore();
  const reader = new SqliteCaseStore(file);
  const cursorSeen = () => reader.getCursor('inbox');
  await store.batched(async () => {
    store.transaction(() => store.setCursor('inbox', '1:1'));
    await new Promise((r) => setTimeout(r, 5));
    expect(() =>
      store.transaction(() => {
        store.setCursor('inbox', '1:2');
        throw new Error('this unit fails');
      }),
    ).toThrow('this unit fails');
    store.transaction(() => store.setCursor('sent', '1:9'));
    // Not committed yet: another connection still sees the state before the batch.
    expect(cursorSeen()).toBeNull();
    expect(store.getCursor('inbox')).toBe('1:1');
  });
  expect(cursorSeen()).toBe('1:1');
  expect(reader.getCursor('sent')).toBe('1:9');
  reader.close();
  store.close();
});

test('a batch commits what ran when its work fails midway, and commits on its own after many units', async () => {
  const { store, file } = tempStore();
  const reader = new SqliteCaseStore(file);
  let seenDuringBatch: string | null = null;
  await expect(
    store.batched(async () => {
      for (let i = 1; i <= 501; i++) store.transaction(() => store.setCursor('inbox', `1:${i}`));
      seenDuringBatch = reader.getCursor('inbox');
      throw new Error('the mailbox went away');
    }),
  ).rejects.toThrow('the mailbox went away');
  expect(seenDuringBatch).toBe('1:500');
  expect(reader.getCursor('inbox')).toBe('1:501');
  reader.close();
  store.close();
});
