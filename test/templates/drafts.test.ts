import path from 'node:path';
import { loadKnowledge } from '../../src/knowledge/load';
import { loadTemplates } from '../../src/knowledge/load-templates';
import { readFolder } from '../../src/knowledge/log-files';
import { analyzeBundle } from '../../src/core/analyze/analyze-bundle';
import type { CaseMessage, CaseView } from '../../src/core/case/case-view';
import { buildDraft, draftMessageId, type DraftContext } from '../../src/core/draft/build-draft';
import { titleDefinition } from '../../src/core/draft/thread-facts';
import { expectGolden } from '../helpers/golden';

const root = path.join(__dirname, '../..');
const knowledge = loadKnowledge(path.join(root, 'knowledge'));
const render = loadTemplates(path.join(root, 'templates'));
const rules = path.join(root, 'knowledge/rules');

const ctx: DraftContext = {
  team: { name: 'CMGOS 技术支持中心', address: 'support@cmgos.com', hotline: '400-818-0055', website: 'www.cmgos.com' },
  engineer: { name: 'Wei Liang', address: 'weiliang@cmgos.com', title: '技术支持工程师' },
  portal: { name: 'CDUC', url: 'https://cduc.cmgos.com' },
  collector: { name: 'CMGELogCollector', download: '附件中的CMGELogCollector.zip' },
  salutations: new Map([['zhaoming@tj.icbc.example.cn', '赵先生']]),
  upload: { user: 'tianjin', password: 'tianjin-pw' },
};

const subject = '[案例号: CAS-06079-G5K3W1 ] % 工行升级-天津分行升级报错回退分析 % 初次响应 CMIT:0001252';
const customerMail: CaseMessage = {
  messageId: 'm2@tj.icbc.example.cn',
  direction: 'inbound',
  arrivedAt: '2022-04-20T08:00:00.000Z',
  date: '2022-04-20T08:00:00.000Z',
  from: { name: '赵明', address: 'zhaoming@tj.icbc.example.cn' },
  to: [{ name: 'Wei Liang', address: 'weiliang@cmgos.com' }],
  cc: [
    { name: '', address: 'support@cmgos.com' },
    { name: '', address: 'it-ops@tj.icbc.example.cn' },
  ],
  subject: `回复: ${subject}`,
  references: ['m1@tj.icbc.example.cn'],
  text: '您好：\n附件是升级失败的终端TJ-PC0153使用CMGELogCollector收集的日志，请帮忙分析。',
  sentDraftKind: null,
  successReport: false,
  machine: null,
  logAttachments: 1,
  intakeProblems: [],
  analysis: null,
};
const view: CaseView = { caseId: 'CAS-06079-G5K3W1', subject, title: '工行升级-天津分行升级报错回退分析', status: 'open', messages: [customerMail], liveDraft: null, statusCommands: [], notes: [] };
const now = new Date('2022-04-25T02:00:00Z');

test('a diagnosis quotes the evidence, names the GUID and gives the bcdedit command', async () => {
  const analysis = await analyzeBundle(readFolder(path.join(rules, 'bcd-clone-failure/fixtures/hit-seed-bcd')), knowledge);
  const draft = buildDraft(view, { kind: 'diagnosis', basedOn: customerMail.messageId, analysis, rerequestReason: null }, ctx, render, now);
  expect(draft.text).toMatch(/^赵先生 您好：/);
  expect(draft.text).toContain('BcdCopyObjectEx: Failed to enumerate source elements. Target: {725f2633-5298-49c7-9016-202d172da460}');
  expect(draft.text).toContain('bcdedit /delete {725f2633-5298-49c7-9016-202d172da460}');
  expect(draft.text).toContain('这个错误是指处理 BCD 中的一些启动项失败');
  expect(draft.text).toContain('400-818-0055');
  expect(draft.text).toContain('电子邮箱： weiliang@cmgos.com');
  expect(draft.subject).toBe(`回复: ${subject}`);
  expect(draft.inReplyTo).toBe('m2@tj.icbc.example.cn');
  expect(draft.references).toEqual(['m1@tj.icbc.example.cn', 'm2@tj.icbc.example.cn']);
  expect(draft.to.map((a) => a.address)).toEqual(['zhaoming@tj.icbc.example.cn']);
  expect(draft.cc.map((a) => a.address)).toEqual(['support@cmgos.com', 'it-ops@tj.icbc.example.cn']);
  expect(draft.from.address).toBe('weiliang@cmgos.com');
});

test('the Ensec64 diagnosis names DSPClient and both fixes with exact commands', async () => {
  const analysis = await analyzeBundle(readFolder(path.join(rules, 'mig-apply-object/fixtures/hit-seed-ensec64')), knowledge);
  const { text } = buildDraft(view, { kind: 'diagnosis', basedOn: customerMail.messageId, analysis, rerequestReason: null }, ctx, render, now);
  expect(text).toContain('Migration Obejct: HKLM\\SYSTEM\\CurrentControlSet\\services\\Ensec64 [DisplayName]');
  expect(text).toContain('确认Ensec64是DSPClient（文档安全防护系统）的组件');
  expect(text).toContain('一、暂时先卸载 DSPClient（文档安全防护系统）应用');
  expect(text).toContain('或者');
  expect(text).toContain('reg export "HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\services\\Ensec64" "%USERPROFILE%\\Desktop\\Ensec64.reg" /y');
  expect(text).toContain('查看UpgradeLog\\C_Win_BT_Panther\\setupact.log文件');
});

test('the scope request defines the problem and gives the upload account', () => {
  const { text } = buildDraft(view, { kind: 'scope-request', basedOn: customerMail.messageId, analysis: null, rerequestReason: null }, ctx, render, now);
  expect(text).toContain('问题定义:\n工行升级-天津分行升级报错回退，需要分析报错原因。');
  expect(text).toContain('CMGELogCollector.exe');
  expect(text).toContain('https://cduc.cmgos.com');
  expect(text).toContain('用户名：tianjin\n密码：tianjin-pw');
});

test('a log re-request says why', () => {
  const { text } = buildDraft(
    { ...view, messages: [{ ...customerMail, intakeProblems: [{ code: 'ARCHIVE_CORRUPT', file: 'logs.zip', format: 'zip' }] }] },
    { kind: 'log-rerequest', basedOn: customerMail.messageId, analysis: null, rerequestReason: 'unreadable' },
    ctx,
    render,
    now,
  );
  expect(text).toContain('您发送的日志无法读取');
  expect(text).toContain('附件 logs.zip 无法读取：压缩包已损坏或不是有效的 zip 文件。');
});

test('the closure summarises from the last diagnosis', async () => {
  const analysis = await analyzeBundle(readFolder(path.join(rules, 'bcd-clone-failure/fixtures/hit-seed-bcd')), knowledge);
  const { text } = buildDraft(view, { kind: 'closure', basedOn: customerMail.messageId, analysis, rerequestReason: null }, ctx, render, now);
  expect(text).toContain('案例总结：');
  expect(text).toContain('问题总结：\n删除出错的BCD配置信息后，升级系统成功。');
  // Nothing was sent on this thread yet: the closure lists no command as carried out.
  expect(text).not.toContain('bcdedit');
});

test('draft Message-IDs are stable per case, answered mail and kind', () => {
  const a = draftMessageId('CAS-06079-G5K3W1', { kind: 'diagnosis', basedOn: 'x' }, 'support@cmgos.com');
  expect(a).toBe(draftMessageId('CAS-06079-G5K3W1', { kind: 'diagnosis', basedOn: 'x' }, 'support@cmgos.com'));
  expect(a).not.toBe(draftMessageId('CAS-06079-G5K3W1', { kind: 'diagnosis', basedOn: 'y' }, 'support@cmgos.com'));
  expect(a).toMatch(/@cmgos\.com$/);
});

test('titleDefinition', () => {
  expect(titleDefinition('工行升级-天津分行升级报错回退分析')).toBe('工行升级-天津分行升级报错回退，需要分析报错原因。');
});


describe('golden drafts: the exact text a customer would get', () => {

  test('a low-confidence diagnosis of a real FIRST_BOOT rollback states the result, quotes the decisive error, names no definite cause and asks for what would settle it', async () => {
    // Real logs (baslr/w10-logs): 0xC1900101 - 0x30018, the only named failure a sysprep specialize error.
    const analysis = await analyzeBundle(readFolder(path.join(root, 'test/fixtures/real-failures/firstboot-specialize-0x30018'), ['expect.yaml']), knowledge);
    const draft = buildDraft(view, { kind: 'diagnosis', basedOn: customerMail.messageId, analysis, rerequestReason: null }, ctx, render, now);
    expectGolden('diagnosis-low-confidence.txt', draft.text);
  });

  test('a failure no rule explains gets a diagnosis that says so and what to collect', async () => {
    const analysis = await analyzeBundle(readFolder(path.join(root, 'test/fixtures/real-failures/downlevel-disk-provisioning-0x80070032'), ['expect.yaml']), knowledge);
    const draft = buildDraft(view, { kind: 'diagnosis', basedOn: customerMail.messageId, analysis, rerequestReason: null }, ctx, render, now);
    expectGolden('diagnosis-unexplained-downlevel.txt', draft.text);
  });
});
