/**
 * Writes mailbox-fixtures/: the seed case as a replayable thread of customer mails, and a demo
 * Maildir++ mailbox with four cases at different steps of the story. Output is byte-identical
 * from run to run (fixed dates, Message-IDs and boundaries; bundles are seeded).
 *
 * Run: npm run build && node dist/test/helpers/build-mailbox-fixtures.js [outDir]
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { buildBundleZip, buildSetupactLog, BundleSpec, Failure } from './bundle-factory';
import { buildMail, maildirFileName, MailSpec } from './mail-factory';

const ENGINEER = 'Wei Liang <weiliang@cmgos.com>';
const ENGINEER_ADDR = 'weiliang@cmgos.com';
const SUPPORT = 'support@cmgos.com';
const ENGINEER_SIGNATURE = ['电子邮箱： weiliang@cmgos.com', '官方网站： www.cmgos.com', '________________________________'];
const ZIP_TYPE = 'application/x-zip-compressed';

// ---------------------------------------------------------------------------------------------
// Helpers

/** Wall-clock parts of an ISO date as written (the fixtures always carry their own offset). */
function parts(iso: string): { y: number; mo: number; d: number; h: number; mi: number; s: number } {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})/.exec(iso);
  if (!m) throw new Error(`bad ISO date ${iso}`);
  const n = (i: number): number => Number(m[i]);
  return { y: n(1), mo: n(2), d: n(3), h: n(4), mi: n(5), s: n(6) };
}

function zhDate(iso: string): string {
  const p = parts(iso);
  return `${p.y}年${p.mo}月${p.d}日 ${p.h}:${String(p.mi).padStart(2, '0')}`;
}

function digest(s: string): string {
  return createHash('sha1').update(s).digest('hex');
}

/** Foxmail/Coremail-style id: timestamp digits plus a stable tail. */
function clientMessageId(iso: string, domain: string): string {
  const p = parts(iso);
  const stamp = `${p.y}${[p.mo, p.d, p.h, p.mi, p.s].map((x) => String(x).padStart(2, '0')).join('')}`;
  const tail = String(parseInt(digest(`${iso}|${domain}`).slice(0, 10), 16))
    .slice(0, 7)
    .padStart(7, '0');
  return `<${stamp}${tail}@${domain}>`;
}

/** Outlook-style id, as the engineer's Outlook writes it. */
function outlookMessageId(iso: string): string {
  const h = digest(`outlook|${iso}`);
  return `<${h.slice(0, 4)}01d8${h.slice(4, 8)}$${h.slice(8, 16)}$${h.slice(16, 24)}$@cmgos.com>`;
}

/** Short quote of the previous mail, the way Chinese Outlook/Foxmail lay it out. */
function quote(prev: MailSpec): string {
  const own = prev.text.split('\n-----原始邮件-----')[0] ?? '';
  const lines = own.split('\n').filter((l) => l.trim() !== '');
  const kept = lines.slice(0, 6);
  if (lines.length > kept.length) kept.push('……');
  return [
    '',
    '-----原始邮件-----',
    `发件人: ${prev.from}`,
    `发送时间: ${zhDate(prev.date)}`,
    `收件人: ${prev.to.join('; ')}`,
    ...(prev.cc && prev.cc.length > 0 ? [`抄送: ${prev.cc.join('; ')}`] : []),
    `主题: ${prev.subject}`,
    '',
    ...kept,
  ].join('\n');
}

function bundleName(host: string, date: string): string {
  return `CMGELogCollector_${host}_${date.replace(/-/g, '')}.zip`;
}

/** The log lines the engineer quotes back: the injected failure block of that bundle. */
function failureExcerpt(spec: BundleSpec, count?: number): string[] {
  const { text, failureLines } = buildSetupactLog(spec);
  const lines = text.split('\r\n');
  return failureLines.slice(0, count ?? failureLines.length).map((n) => lines[n - 1] ?? '');
}

// ---------------------------------------------------------------------------------------------
// Threads

interface Customer {
  name: string;
  address: string;
  cc: string[];
  salutation: string; // how the engineer greets them
  signature: string[];
  mailer: string;
  replyPrefix: string; // what their client puts in front of a reply subject
}

interface Stored {
  spec: MailSpec;
  box: 'inbox' | 'sent';
}

class Thread {
  readonly mails: Stored[] = [];

  constructor(
    readonly subject: string,
    readonly customer: Customer,
  ) {}

  private get last(): MailSpec | undefined {
    return this.mails[this.mails.length - 1]?.spec;
  }

  private threading(): Pick<MailSpec, 'inReplyTo' | 'references'> {
    const refs = this.mails.map((m) => m.spec.messageId);
    const last = this.last;
    return last ? { inReplyTo: last.messageId, references: refs } : {};
  }

  private withQuote(text: string): string {
    const last = this.last;
    return last ? text + '\n' + quote(last) : text;
  }

  fromCustomer(date: string, body: string[], opts: { subject?: string; attachments?: MailSpec['attachments'] } = {}): MailSpec {
    const c = this.customer;
    const last = this.last;
    const subject = opts.subject ?? (last ? `${c.replyPrefix}${last.subject}` : this.subject);
    const spec: MailSpec = {
      from: `${c.name} <${c.address}>`,
      to: [ENGINEER_ADDR],
      cc: [SUPPORT, ...c.cc],
      subject,
      date,
      messageId: clientMessageId(date, c.address.split('@')[1] ?? 'example.cn'),
      ...this.threading(),
      text: this.withQuote([...body, '', ...c.signature].join('\n')),
      attachments: opts.attachments,
      headers: { 'X-Mailer': c.mailer },
    };
    this.mails.push({ spec, box: 'inbox' });
    return spec;
  }

  fromEngineer(date: string, body: string[]): MailSpec {
    const c = this.customer;
    const spec: MailSpec = {
      from: ENGINEER,
      to: [`${c.name} <${c.address}>`],
      cc: [SUPPORT],
      subject: `回复: ${this.subject}`,
      date,
      messageId: outlookMessageId(date),
      ...this.threading(),
      text: this.withQuote([`${c.salutation} 您好：`, ...body, ...ENGINEER_SIGNATURE].join('\n')),
      headers: { 'X-Mailer': 'Microsoft Outlook 16.0' },
    };
    this.mails.push({ spec, box: 'sent' });
    return spec;
  }
}

// ---------------------------------------------------------------------------------------------
// What the engineer writes (the tone of the seed case's mails 1, 2 and 5)

function scopeBody(problem: string, cducUser: string): string[] {
  return [
    '感谢您的电话接听。',
    '根据您提供的信息，我谨在此阐述我们双方针对这个问题所涉及范围界定：',
    '问题定义:',
    problem,
    '问题范围:',
    '我们将协助您分析处理上述问题，并对定义的问题给予最大的技术支持。',
    '如果能及时解决问题，或问题属于产品设计的行为，或问题涉及到三方，我们将考虑关闭案例。如果存在多个问题，则我们考虑拆分案例进行分析。',
    '接下来，我们将开始合作解决这个问题。如果您对以上的问题范围界定有任何异议，请尽快告知。如果您有其他任何疑问。也欢迎随时与我联系。',
    '针对您这个问题，请您按照以下方法帮忙收集相关系统日志进行分析。',
    '1）请您从CDUC下载中心下载CMGELogCollector.zip，解压后在升级失败的设备上运行CMGELogCollector.exe，勾选全部选项，点击“收集”，运行几分钟后会在桌面生成日志压缩包。',
    ' 压缩的日志您可以通过CDUC上传或者其他方式发给我们。',
    '日志上传方法：',
    '您可以登陆https://cduc.cmgos.com <https://cduc.cmgos.com/> ，通过数据上传系统上传您所收集的日志信息。',
    `用户名：${cducUser}`,
    `密码：${cducUser}`,
    '注意：添加文件，点击上传后，跳转到新的页面点击保存。',
  ];
}

function migDiagnosisBody(bundle: BundleSpec): string[] {
  const f = bundle.failure;
  if (f.kind !== 'mig-registry') throw new Error('mig diagnosis needs a mig-registry bundle');
  return [
    '感谢您的电话接听。',
    '分析您上传的日志，查看UpgradeLog\\setupdiag.log文件，提示相关注册表信息错误：',
    'Error: SetupDiag reports Migration Gather/Apply operation failure.',
    'Last Phase: Finalize',
    'Last Operation: Update Boot Code',
    'Migration Operation: apply',
    `Migration Obejct: HKLM\\SYSTEM\\CurrentControlSet\\services\\${f.service} [${f.value}]`,
    `Error:  ${f.error}`,
    `查看UpgradeLog\\C_Win_BT_Panther\\setupact.log文件，查找${f.service}注册表相关信息，错误日志显示如下：`,
    ...failureExcerpt(bundle, 5),
    `根据安装的软件信息情况，确认${f.service}是DSPClient（文档安全防护系统）的组件，您可以按照以下步骤操作，再次测试、验证升级V2020-L系统情况。`,
    `一、暂时先卸载DSPClient应用，确认注册表路径HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\services\\${f.service}已经被移除后，再次验证升级情况。`,
    '或者',
    `二、运行regedit，打开注册表编辑器，定位到HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\services\\${f.service}，先导出备份${f.service}.reg注册表信息，再删除${f.service}注册表项，待升级成功后再导入${f.service}.reg注册表信息。`,
    '在测试、操作过程中有任何问题，可以回复邮件或者拨打热线电话400-818-0055联系我们。',
  ];
}

function bcdDiagnosisBody(bundle: BundleSpec): string[] {
  const f = bundle.failure;
  if (f.kind !== 'bcd-clone') throw new Error('bcd diagnosis needs a bcd-clone bundle');
  return [
    '分析了您上传的最新的升级日志，相关出错日志如下：',
    '查看UpgradeLog\\C_Win_BT_Panther\\setupact.log，错误的日志显示：',
    ...failureExcerpt(bundle),
    '这个错误是指处理BCD中的一些启动项失败。',
    '请您在升级失败的计算机上，以管理员权限打开cmd命令行，执行以下命令删除出错的配置，再次验证升级情况。',
    `bcdedit /delete   {${f.guid}}`,
  ];
}

async function bundleAttachment(
  host: string,
  date: string,
  failure: Failure,
): Promise<{ spec: BundleSpec; attachment: NonNullable<MailSpec['attachments']>[number] }> {
  const spec: BundleSpec = { failure, hostname: host, date };
  return { spec, attachment: { filename: bundleName(host, date), content: await buildBundleZip(spec), contentType: ZIP_TYPE } };
}

// ---------------------------------------------------------------------------------------------
// (a) the seed case, replayed as the customer's four mails

const SEED_SUBJECT = '[案例号: CAS-06079-G5K3W1 ] % 工行升级-天津分行升级报错回退分析 % 初次响应 CMIT:0001252';

async function seedCase(): Promise<[string, MailSpec][]> {
  const zhao: Customer = {
    name: '赵明',
    address: 'zhaoming@tj.icbc.example.cn',
    cc: ['it-ops@tj.icbc.example.cn'],
    salutation: '赵先生',
    signature: ['赵明', '中国工商银行天津分行 信息科技部', '电话：022-2331-0153'],
    mailer: 'Foxmail 7.2.23.116[cn]',
    replyPrefix: '回复: ',
  };
  const t = new Thread(SEED_SUBJECT, zhao);
  const host = 'TJ-PC0153';
  const first = await bundleAttachment(host, '2022-04-15', { kind: 'mig-registry', service: 'Ensec64', value: 'DisplayName', error: 5 });
  const second = await bundleAttachment(host, '2022-04-20', { kind: 'bcd-clone', guid: '725f2633-5298-49c7-9016-202d172da460' });
  const out: [string, MailSpec][] = [];
  out.push([
    '01-opening.eml',
    t.fromCustomer('2022-04-15T15:42:10+08:00', [
      '您好：',
      '天津分行部分终端升级V2020-L时报错并回退，请协助分析原因。',
      '目前发现TJ-PC0153等几台终端在升级进行到最后阶段时提示失败，重启后又回到了原来的系统。',
      '谢谢！',
    ]),
  ]);
  out.push([
    '02-logs-ensec64.eml',
    t.fromCustomer('2022-04-18T10:12:36+08:00', ['您好：', '附件是升级失败的终端TJ-PC0153使用CMGELogCollector收集的日志，请帮忙分析。'], {
      subject: `回复: ${SEED_SUBJECT}`,
      attachments: [first.attachment],
    }),
  ]);
  out.push([
    '03-logs-bcd.eml',
    t.fromCustomer('2022-04-24T16:20:05+08:00', ['您好：', '按照方法卸载后仍然失败，重新收集了日志，见附件，请再帮忙分析一下。'], {
      subject: `答复：${SEED_SUBJECT}`,
      attachments: [second.attachment],
    }),
  ]);
  out.push([
    '04-confirm-success.eml',
    t.fromCustomer('2022-04-27T09:48:51+08:00', ['您好：', '删除出错的BCD配置后，升级系统成功了，谢谢！'], {
      subject: `回复: ${SEED_SUBJECT}`,
    }),
  ]);
  return out;
}

// ---------------------------------------------------------------------------------------------
// (b) the demo mailbox: four cases, each at one step of the story

export interface DemoCase {
  caseId: string;
  subject: string;
  customer: string;
  step: string;
  expectedDraft: string;
  thread: Thread;
}

function subjectFor(caseId: string, topic: string, cmit: string): string {
  return `[案例号: ${caseId} ] % ${topic} % 初次响应 CMIT:${cmit}`;
}

async function demoCases(): Promise<DemoCase[]> {
  // 1. New case: only the opening mail.
  const chen: Customer = {
    name: '陈静',
    address: 'chenjing@suzhou.tax.example.cn',
    cc: [],
    salutation: '陈女士',
    signature: ['陈静', '国家税务总局苏州市税务局 信息中心', '电话：0512-6852-0317'],
    mailer: 'Coremail Webmail Server Version XT5.0.13 build 20210104(2ed6d9f6)',
    replyPrefix: '回复：',
  };
  const c1 = new Thread(subjectFor('CAS-06213-R8K2P4', '苏州税务升级-办公终端升级V2020-L失败', '0001318'), chen);
  c1.fromCustomer('2022-06-08T09:35:27+08:00', [
    '您好：',
    '我局近期组织办公终端升级V2020-L，个别终端升级到一半时失败，提示“无法安装Windows”，之后自动回退到原系统。',
    '麻烦协助分析一下原因，需要我们提供什么信息请告知。',
    '谢谢！',
  ]);

  // 2. First logs just arrived: opening, scope reply, bundle (Ensec64 [ImagePath]).
  const li: Customer = {
    name: '李强',
    address: 'liqiang@sd.ccb.example.cn',
    cc: [],
    salutation: '李先生',
    signature: ['李强', '中国建设银行山东省分行 信息技术部', '电话：0531-8216-0427'],
    mailer: 'Microsoft Outlook 16.0',
    replyPrefix: '答复: ',
  };
  const c2 = new Thread(subjectFor('CAS-06188-M3T7B2', '建行升级-济南分行终端升级回退分析', '0001312'), li);
  c2.fromCustomer('2022-05-30T09:12:44+08:00', [
    '您好：',
    '济南分行近期推进终端升级V2020-L，目前有十几台终端升级到最后阶段时报错，随后自动回退到原来的系统。',
    '出问题的终端型号不完全一样，但都安装了行内统一下发的安全软件。请协助分析原因。',
    '谢谢！',
  ]);
  c2.fromEngineer('2022-05-30T13:48:02+08:00', scopeBody('建行济南分行部分终端升级V2020-L时报错并回退，需要分析报错原因。', 'jinan'));
  const b2 = await bundleAttachment('SD-PC0427', '2022-05-31', { kind: 'mig-registry', service: 'Ensec64', value: 'ImagePath', error: 5 });
  c2.fromCustomer(
    '2022-06-01T10:26:19+08:00',
    ['您好：', '已按照您的方法在升级失败的终端SD-PC0427上运行CMGELogCollector收集了日志，压缩包见附件，请帮忙分析。'],
    { attachments: [b2.attachment] },
  );

  // 3. New logs after an earlier diagnosis: the registry fix did not help, now a BCD failure.
  const wang: Customer = {
    name: '王芳',
    address: 'wangfang@zjhrss.example.cn',
    cc: ['xxzx@zjhrss.example.cn'],
    salutation: '王女士',
    signature: ['王芳', '浙江省人力资源和社会保障厅 信息中心', '电话：0571-8705-0218'],
    mailer: 'Coremail Webmail Server Version XT5.0.13 build 20210104(2ed6d9f6)',
    replyPrefix: '回复：',
  };
  const c3 = new Thread(subjectFor('CAS-06151-H2W9C6', '人社厅升级-终端升级V2020-L报错回退', '0001309'), wang);
  c3.fromCustomer('2022-05-16T09:20:31+08:00', ['您好：', '我厅部分终端升级V2020-L时报错并回退，请协助分析原因。', '谢谢！']);
  c3.fromEngineer('2022-05-16T14:05:47+08:00', scopeBody('浙江省人社厅部分终端升级V2020-L报错回退，需要分析报错原因。', 'zjhrss'));
  const b3a = await bundleAttachment('ZJRS-PC0218', '2022-05-17', {
    kind: 'mig-registry',
    service: 'Ensec64',
    value: 'DisplayName',
    error: 5,
  });
  c3.fromCustomer('2022-05-18T10:30:12+08:00', ['您好：', '日志已收集，见附件（终端ZJRS-PC0218），请帮忙分析。'], {
    attachments: [b3a.attachment],
  });
  c3.fromEngineer('2022-05-19T16:40:26+08:00', migDiagnosisBody(b3a.spec));
  const b3b = await bundleAttachment('ZJRS-PC0218', '2022-05-23', { kind: 'bcd-clone', guid: '3f2a9c1e-8b47-4d21-a6f0-5c9e7d1b2a34' });
  c3.fromCustomer(
    '2022-05-24T11:15:58+08:00',
    [
      '您好：',
      '按照您提供的方法卸载DSPClient后，确认Ensec64注册表项已经没有了，再次升级还是失败。',
      '重新收集了日志，见附件，请再帮忙看一下。',
    ],
    { attachments: [b3b.attachment] },
  );

  // 4. Customer confirms success after the BCD fix.
  const liu: Customer = {
    name: '刘洋',
    address: 'liuyang@gd.abchina.example.cn',
    cc: [],
    salutation: '刘先生',
    signature: ['刘洋', '中国农业银行广东省分行 科技与产品管理部', '电话：020-8383-0361'],
    mailer: 'Foxmail 7.2.23.116[cn]',
    replyPrefix: '回复：',
  };
  const c4 = new Thread(subjectFor('CAS-06127-B5N8X3', '农行升级-广州分行终端升级失败分析', '0001304'), liu);
  c4.fromCustomer('2022-05-09T10:02:15+08:00', [
    '您好：',
    '广州分行有终端升级V2020-L失败，升级过程中重启前报错，请协助分析失败原因。',
    '谢谢！',
  ]);
  c4.fromEngineer('2022-05-09T15:30:09+08:00', scopeBody('农行广州分行终端升级V2020-L失败，需要分析失败原因。', 'guangzhou'));
  const b4 = await bundleAttachment('GZ-PC0361', '2022-05-10', { kind: 'bcd-clone', guid: 'b8e1d4c7-2f6a-4e93-9c05-7a1d3e8f6b52' });
  c4.fromCustomer('2022-05-11T09:45:40+08:00', ['您好：', '终端GZ-PC0361的升级日志见附件，请帮忙分析。'], { attachments: [b4.attachment] });
  c4.fromEngineer('2022-05-12T14:20:33+08:00', bcdDiagnosisBody(b4.spec));
  c4.fromCustomer('2022-05-16T10:08:22+08:00', ['您好：', '按照您的方法执行bcdedit删除后，升级成功了，谢谢！']);

  return [
    {
      caseId: 'CAS-06213-R8K2P4',
      subject: c1.subject,
      customer: chen.address,
      step: 'new case: only the opening mail',
      expectedDraft: 'scope definition + log-collection request (CMGELogCollector, CDUC upload)',
      thread: c1,
    },
    {
      caseId: 'CAS-06188-M3T7B2',
      subject: c2.subject,
      customer: li.address,
      step: 'first logs just arrived (mig-registry Ensec64 [ImagePath], error 5)',
      expectedDraft: 'diagnosis: Ensec64 (DSPClient) registry apply failure, uninstall DSPClient or back up and delete the Ensec64 key',
      thread: c2,
    },
    {
      caseId: 'CAS-06151-H2W9C6',
      subject: c3.subject,
      customer: wang.address,
      step: 'new logs after the Ensec64 diagnosis: BCD clone failure {3f2a9c1e-8b47-4d21-a6f0-5c9e7d1b2a34}',
      expectedDraft: 'diagnosis: bcdedit /delete {3f2a9c1e-8b47-4d21-a6f0-5c9e7d1b2a34}',
      thread: c3,
    },
    {
      caseId: 'CAS-06127-B5N8X3',
      subject: c4.subject,
      customer: liu.address,
      step: 'customer confirms success after the BCD fix',
      expectedDraft: 'closing mail with case summary (problem definition, summary, analysis, fix)',
      thread: c4,
    },
  ];
}

// ---------------------------------------------------------------------------------------------
// Writing

const README = `# mailbox-fixtures

Generated by \`test/helpers/build-mailbox-fixtures.ts\`; do not edit by hand. Regenerate with:

    npm run build && node dist/test/helpers/build-mailbox-fixtures.js

Each run deletes and rewrites \`seed-case/\` and \`demo/\`; the output is byte-identical from run to
run (fixed dates, Message-IDs and MIME boundaries; log bundles come from a seeded generator).

## seed-case/

The real case CAS-06079-G5K3W1 (ICBC Tianjin, upgrade to V2020-L fails and rolls back), replayed as
the four mails the customer sent, one RFC 822 file each. Only customer mails are included: the
engineer's replies are what casebot should produce when these are replayed in order, so every
reply's In-Reply-To/References point at the customer's own previous mail.

| file | date (+08:00) | content |
|---|---|---|
| \`01-opening.eml\` | 2022-04-15 15:42 | problem description, no attachment |
| \`02-logs-ensec64.eml\` | 2022-04-18 10:12 | \`CMGELogCollector_TJ-PC0153_20220415.zip\`: migration apply failure on \`HKLM\\SYSTEM\\CurrentControlSet\\services\\Ensec64 [DisplayName]\`, error 5 |
| \`03-logs-bcd.eml\` | 2022-04-24 16:20 | \`CMGELogCollector_TJ-PC0153_20220420.zip\`: BCD clone failure on \`{725f2633-5298-49c7-9016-202d172da460}\` |
| \`04-confirm-success.eml\` | 2022-04-27 09:48 | customer confirms the upgrade succeeded after deleting the BCD entry |

Message-IDs:
@@SEED_IDS@@

## demo/

A Maildir++ mailbox: INBOX is \`cur/ new/ tmp/\`, plus \`.Sent/\` and \`.Drafts/\` with the same three
folders. Customer mails are in \`new/\` (no flags), the engineer's earlier replies in \`.Sent/cur/\`
(flag \`S\`); \`.Drafts/\` is empty, for casebot to fill. Empty folders hold a \`.keep\` file so git
keeps them (Maildir readers skip names starting with a dot). File names are
\`<unix seconds>.M<seq>P1000.casebot-fixtures:2,<flags>\`, so they sort in delivery order.

Customers write To \`weiliang@cmgos.com\`, Cc \`support@cmgos.com\`; the engineer is
\`Wei Liang <weiliang@cmgos.com>\`. Replies carry In-Reply-To/References to the previous message
of their thread, whichever side wrote it. Bundles are \`CMGELogCollector_<host>_<date>.zip\` with
backslash entry names (\`UpgradeLog\\setupdiag.log\`, \`UpgradeLog\\C_Win_BT_Panther\\setupact.log\`,
\`…\\setuperr.log\`, \`UpgradeLog\\C_Windows_Panther\\setupact.log\`, \`SystemInfo\\systeminfo.txt\`);
setupact.log is GBK with CRLF line endings and about 20,000 lines.

| case | customer | step | mails (INBOX / Sent) | draft casebot should produce |
|---|---|---|---|---|
@@DEMO_ROWS@@

Subjects:
@@DEMO_SUBJECTS@@
`;

function writeFile(file: string, data: Buffer | string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, data);
}

function keep(dir: string): void {
  fs.mkdirSync(dir, { recursive: true });
  if (fs.readdirSync(dir).length === 0) fs.writeFileSync(path.join(dir, '.keep'), '');
}

export async function main(outDir = path.resolve(process.argv[2] ?? 'mailbox-fixtures')): Promise<void> {
  const seedDir = path.join(outDir, 'seed-case');
  const demoDir = path.join(outDir, 'demo');
  fs.rmSync(seedDir, { recursive: true, force: true });
  fs.rmSync(demoDir, { recursive: true, force: true });

  const seed = await seedCase();
  for (const [name, spec] of seed) writeFile(path.join(seedDir, name), await buildMail(spec));

  const cases = await demoCases();
  const all = cases.flatMap((c) => c.thread.mails).sort((a, b) => Date.parse(a.spec.date) - Date.parse(b.spec.date));
  let seq = 0;
  for (const m of all) {
    seq++;
    const file =
      m.box === 'inbox'
        ? path.join(demoDir, 'new', maildirFileName(m.spec.date, seq))
        : path.join(demoDir, '.Sent', 'cur', maildirFileName(m.spec.date, seq, 'S'));
    writeFile(file, await buildMail(m.spec));
  }
  for (const box of ['', '.Sent', '.Drafts']) {
    for (const sub of ['cur', 'new', 'tmp']) keep(path.join(demoDir, box, sub));
  }

  const rows = cases.map((c) => {
    const inbox = c.thread.mails.filter((m) => m.box === 'inbox').length;
    const sent = c.thread.mails.length - inbox;
    return `| ${c.caseId} | ${c.customer} | ${c.step} | ${inbox} / ${sent} | ${c.expectedDraft} |`;
  });
  const readme = README.replace('@@SEED_IDS@@', seed.map(([name, s]) => `- \`${name}\`: \`${s.messageId}\``).join('\n'))
    .replace('@@DEMO_ROWS@@', rows.join('\n'))
    .replace('@@DEMO_SUBJECTS@@', cases.map((c) => `- ${c.caseId}: \`${c.subject}\``).join('\n'));
  writeFile(path.join(outDir, 'README.md'), readme);

  for (const c of cases) process.stdout.write(`${c.caseId}  ${c.customer}  ${c.step}\n`);
  for (const [name, s] of seed) process.stdout.write(`seed ${name}  ${s.messageId}\n`);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  });
}
