// The seed thread replayed through casebot on a Maildir, the engineer sending each draft as it
// is: every draft is checked against its golden text (test/golden/seed-*.txt), which an engineer
// should be able to send unchanged. Beside them, the other kinds the thread can take: a log
// re-request when the fix did not take and no logs came, and the reopening after closure.

import { buildMail } from '../helpers/mail-factory';
import { draftAsRead, expectGolden, repeatedSentences } from '../helpers/golden';
import { seedMail, seedReplay, SEED_MAILS } from '../helpers/seed-replay';
import { loadConfig } from '../../src/config/load';
import { SqliteCaseStore } from '../../src/adapters/sqlite/sqlite-store';

const SUBJECT = '回复: [案例号: CAS-06079-G5K3W1 ] % 工行升级-天津分行升级报错回退分析 % 初次响应 CMIT:0001252';
const STEPS = ['scope-request', 'diagnosis', 'follow-up-diagnosis', 'closure'];

function caseStatus(configFile: string): string {
  const store = new SqliteCaseStore(loadConfig(configFile).store.path);
  try {
    return store.getCase('CAS-06079-G5K3W1')!.status;
  } finally {
    store.close();
  }
}

test('the seed thread: four drafts an engineer sends as they are, and the sent closure closes the case', async () => {
  const replay = seedReplay();
  for (const [i, name] of SEED_MAILS.entries()) {
    replay.deliver(seedMail(name));
    await replay.pass();
    const drafts = await replay.drafts();
    expect(drafts).toHaveLength(1);
    const text = draftAsRead(drafts[0]!.mail);
    expectGolden(`seed-${i + 1}-${STEPS[i]}.txt`, text);
    expect(repeatedSentences(drafts[0]!.mail.text ?? '')).toEqual([]);
    await replay.sendDraft();
  }
  await replay.pass();
  expect(caseStatus(replay.configFile)).toBe('closed');
}, 60_000);

test('the fix did not take and no logs came: a log re-request that says so', async () => {
  const replay = seedReplay();
  for (const name of SEED_MAILS.slice(0, 2)) {
    replay.deliver(seedMail(name));
    await replay.pass();
    await replay.sendDraft();
  }
  const diagnosis = (await replay.drafts()).length;
  expect(diagnosis).toBe(0);
  replay.deliver(
    await buildMail({
      from: '赵明 <zhaoming@tj.icbc.example.cn>',
      to: ['weiliang@cmgos.com'],
      cc: ['support@cmgos.com'],
      subject: SUBJECT,
      date: '2022-04-21T02:00:00Z',
      messageId: 'rerequest-1@tj.icbc.example.cn',
      inReplyTo: '202204181012366215073@tj.icbc.example.cn',
      text: '您好：\n按照方法卸载DSPClient后还是失败了。\n\n赵明\n中国工商银行天津分行 信息科技部',
    }),
  );
  await replay.pass();
  const [draft] = await replay.drafts();
  expectGolden('seed-log-rerequest.txt', draftAsRead(draft!.mail));
  expect(draft!.mail.attachments.map((a) => a.filename)).toEqual(['CMGELogCollector.zip']);
}, 60_000);

test('a draft left for the engineer to fill in is marked in Drafts, and made again without the marker once it can be finished', async () => {
  const replay = seedReplay();
  delete process.env.CASEBOT_TEST_PORTAL_TIANJIN; // the upload password is not configured yet
  replay.deliver(seedMail('01-opening.eml'));
  await replay.pass();
  let drafts = await replay.drafts();
  expect(drafts).toHaveLength(1);
  expect(drafts[0]!.mail.subject).toBe(`[待填写] ${SUBJECT}`);
  expect(drafts[0]!.mail.text).toContain('密码：【请工程师填写】');
  await replay.pass();
  expect(await replay.drafts()).toHaveLength(1);

  process.env.CASEBOT_TEST_PORTAL_TIANJIN = 'tianjin'; // configured, casebot started again
  await replay.pass();
  drafts = await replay.drafts();
  expect(drafts.map((d) => d.mail.subject)).toEqual([SUBJECT]);
  expect(drafts[0]!.mail.text).toContain('密码：tianjin');
  expect(drafts[0]!.mail.text).not.toContain('请工程师填写');
}, 60_000);
