// The labelled set for case memory: past cases in root-cause groups (cases whose fix was the
// same), unique-cause cases, and real logs of runs that did not fail as distractors. Bundles are
// synthetic: the bundle factory's seed-case failures with other services, values and GUIDs, and
// the rules' own hit fixtures with their GUIDs, dates and machine names changed. Descriptions
// are customers' first mails in varied wording. The seed case is split into its two findings.

import fs from 'node:fs';
import path from 'node:path';
import * as iconv from 'iconv-lite';
import { analyzeBundle } from '../../src/core/analyze/analyze-bundle';
import type { Knowledge } from '../../src/core/analyze/knowledge';
import { logFromBuffer, type Analysis, type LogFileInput } from '../../src/core/types';
import { buildSetupactLog, buildSetupdiagLog, type Failure } from '../helpers/bundle-factory';

export interface EvalCase {
  id: string;
  /** Root-cause group; null for a distractor that is nobody's answer. */
  group: string | null;
  description: string;
  analysis: Analysis;
  /** The fix that was given and worked (the closure's 问题总结). */
  summary: string;
}

const RULES = path.join(__dirname, '../../knowledge/rules');
export const REAL_LOGS = path.join(__dirname, '../fixtures/real-logs');

type Source = { factory: Failure } | { fixture: string; rename?: [RegExp, string][] };

interface GroupSpec {
  group: string;
  sources: Source[];
  descriptions: string[];
}

const mig = (service: string, value: string): Source => ({ factory: { kind: 'mig-registry', service, value, error: 5 } });
const bcd = (guid: string): Source => ({ factory: { kind: 'bcd-clone', guid } });
const fixture = (rule: string, name: string, rename?: [RegExp, string][]): Source => ({
  fixture: path.join(RULES, rule, 'fixtures', name),
  ...(rename ? { rename } : {}),
});

export const GROUPS: GroupSpec[] = [
  {
    group: 'bcd-entry',
    sources: [
      fixture('bcd-clone-failure', 'hit-seed-bcd'),
      bcd('3f2a9c1e-8b47-4d21-a6f0-5c9e7d1b2a34'),
      bcd('0b7d2e4f-1c3a-4e5b-9f60-7a8b9c0d1e2f'),
      bcd('c41e8a27-6d0b-4f93-8a15-2e7c9b3d6f40'),
      fixture('bcd-clone-failure', 'hit-other-guid-utf16'),
    ],
    descriptions: [
      '天津分行部分终端升级V2020-L时报错并回退，请协助分析原因。',
      '终端升级到最后阶段重启后又回退到原来的系统，错误代码0x80004005。',
      '升级快完成时失败，提示无法完成更新，正在撤销更改，系统回滚。',
      '升级在最后一步失败回退，怀疑和启动配置有关，机器是双硬盘。',
      '升级进行到90%多报错0x80004005，然后自动还原了旧版本。',
    ],
  },
  {
    group: 'dspclient-registry',
    sources: [
      fixture('mig-apply-object', 'hit-seed-ensec64'),
      mig('Ensec64', 'ImagePath'),
      mig('Ensec64', 'Start'),
      mig('Ensec64', 'Description'),
      mig('Ensec64', 'ObjectName'),
    ],
    descriptions: [
      '分行终端升级报错回退，终端上装有文档安全防护系统DSPClient。',
      '升级迁移数据阶段失败，回退到旧系统，机器安装了文档加密客户端。',
      '装了DSPClient的电脑升级都失败，没装的正常，请帮忙看看。',
      '升级回退，SetupDiag提示迁移注册表失败，拒绝访问。',
      '升级失败，日志里有Ensec64注册表写入失败，错误5。',
    ],
  },
  {
    group: '360-registry',
    sources: [
      mig('360FsFlt', 'DisplayName'),
      mig('ZhuDongFangYu', 'ImagePath'),
      mig('360rp', 'Start'),
      mig('Qutmdrv', 'DisplayName'),
      mig('360Sensor', 'ImagePath'),
    ],
    descriptions: [
      '升级时迁移失败回退，终端装了360天擎终端安全。',
      '装有360安全卫士的电脑升级失败，拒绝访问，回到原系统。',
      '升级回退，错误提示迁移对象失败，我们统一部署了360杀毒。',
      '终端升级报错回退，安全软件是360，关不掉自我保护。',
      '升级到迁移用户数据时失败，注册表拒绝访问，装有360主动防御。',
    ],
  },
  {
    group: 'disk-space',
    sources: [fixture('disk-space-failure', 'hit-first-boot-gbk')],
    descriptions: [
      '升级过程中提示磁盘空间不足，升级失败。',
      'C盘只剩几个G，升级到一半失败回退了。',
      '系统盘空间不够，升级第一次重启后失败。',
      '升级报错，怀疑是C盘满了，可用空间很少。',
      '升级失败回退，日志显示磁盘剩余空间不足。',
    ],
  },
  {
    group: 'driver-block',
    sources: [fixture('driver-hard-block', 'hit-compatdata-two-drivers'), fixture('driver-hard-block', 'hit-setupact-rst')],
    descriptions: [
      '升级检查时提示有驱动程序不兼容，无法继续。',
      '安装程序说某个驱动与新版本不兼容，阻止升级。',
      '升级前兼容性检查不通过，提示需要更新驱动。',
      '升级被驱动兼容性问题拦住了，是存储控制器驱动。',
      '提示此电脑上的驱动程序不兼容，升级无法开始。',
    ],
  },
  {
    group: 'bitlocker',
    sources: [fixture('bitlocker-hard-block', 'hit-compatdata'), fixture('bitlocker-hard-block', 'hit-setupact')],
    descriptions: [
      '终端开了BitLocker加密，升级时被阻止。',
      '升级提示需要先暂停BitLocker，无法继续。',
      '系统盘加密了，升级安装程序不让继续。',
      '升级检查不通过，说是磁盘加密的问题。',
      '开启了驱动器加密的电脑都升级不了。',
    ],
  },
  {
    group: 'manual-uninstall-app',
    sources: [fixture('compat-app-manual-uninstall', 'hit-compatdata')],
    descriptions: [
      '升级提示有应用需要手动卸载才能继续。',
      '安装程序提示某个软件与新系统不兼容，要先删除。',
      '升级前检查提示需要卸载一个应用程序。',
      '升级界面提示：以下应用需要卸载，卸载后还是提示。',
      '兼容性检查发现不兼容的应用，升级无法进行。',
    ],
  },
  {
    group: 'wim-mount',
    sources: [fixture('wim-mount-failure', 'hit-winre-0x80070522')],
    descriptions: [
      '升级时装载映像失败，报错0x80070522。',
      '升级过程中无法挂载WinRE映像，升级失败。',
      '升级报错说映像装载失败，客户端没有权限。',
      '升级到准备阶段失败，提示无法装载wim文件。',
      '升级失败，错误0x80070522，所需的特权不被客户端拥有。',
    ],
  },
  {
    group: 'boot-failure',
    sources: [fixture('boot-failure-detected', 'hit-rollback-40017'), fixture('boot-failure-detected', 'hit-setupdiag-xml')],
    descriptions: [
      '升级重启后新系统启动不起来，自动回退了。',
      '升级后第二次启动失败，错误0xC1900101-0x40017。',
      '升级重启进入新系统时卡住然后回滚。',
      '升级后开机失败，回到旧系统，提示0x40017。',
      '新系统启动阶段失败，升级被撤销。',
    ],
  },
  {
    group: 'rollback-bugcheck',
    sources: [fixture('rollback-bugcheck', 'hit-doc-sample-7e'), fixture('rollback-bugcheck', 'hit-module-named')],
    descriptions: [
      '升级过程中蓝屏，重启后回退到旧系统。',
      '升级重启后出现蓝屏，停止代码7E，然后回滚。',
      '升级时电脑蓝屏了，之后自动恢复了原来的版本。',
      '升级过程中蓝屏死机，回退，怀疑是某个驱动。',
      '升级到新系统启动时蓝屏，升级失败。',
    ],
  },
  {
    group: 'safeos-du',
    sources: [fixture('critical-safeos-du-failure', 'hit-safeos-du-0x800f0922')],
    descriptions: [
      '升级时安装动态更新失败，报错0x800f0922。',
      '升级过程中安装安全更新失败，升级中止。',
      'SafeOS阶段的更新安装不上，错误0x800f0922。',
      '升级准备阶段下载的更新装不上，升级失败。',
      '升级失败，日志里关键动态更新安装失败。',
    ],
  },
  {
    group: 'sysprep-plugin',
    sources: [
      fixture('sysprep-plugin-failure', 'hit-real-generalize-appx'),
      fixture('sysprep-plugin-failure', 'hit-upgrade-setupdiag-xml'),
    ],
    descriptions: [
      '封装系统时sysprep报错，无法完成。',
      '做镜像运行sysprep通用化失败，应用包的问题。',
      'sysprep执行失败，提示插件出错。',
      '升级中sysprep阶段失败回退。',
      '运行sysprep /generalize报错，无法验证安装。',
    ],
  },
  {
    group: 'dism-package',
    sources: [fixture('dism-add-package-failed', 'hit-lcu-cab-0x800f0922')],
    descriptions: [
      '升级时添加更新包失败，错误0x800f0922。',
      '离线添加累积更新cab包失败。',
      '安装更新包时DISM报错，升级失败。',
      '升级过程中集成补丁包出错，0x800f0922。',
      '升级失败，更新包无法添加到映像。',
    ],
  },
  {
    group: 'language-mismatch',
    sources: [fixture('language-mismatch-hard-block', 'hit-setupact')],
    descriptions: [
      '升级提示语言不一致，无法保留文件和应用。',
      '安装介质是英文版，系统是中文版，升级选项是灰的。',
      '升级时只能选择什么都不保留，语言版本不同。',
      '升级不能保留个人文件，提示系统语言不匹配。',
      '用中文镜像升级英文系统，被阻止保留应用。',
    ],
  },
];

/** Causes seen once: the right answer to each is that no similar case exists. */
export const UNIQUE: GroupSpec[] = [
  {
    group: 'u-device-hang',
    sources: [fixture('device-install-hang', 'hit-rollback-30018')],
    descriptions: ['升级第一次启动时安装设备卡住，然后回退。'],
  },
  {
    group: 'u-profile',
    sources: [fixture('profile-creation-finalize-failure', 'hit-create-profiles-access-denied')],
    descriptions: ['升级最后阶段创建用户配置文件失败。'],
  },
  {
    group: 'u-advanced-installer',
    sources: [fixture('advanced-installer-failure', 'hit-generic-command-exit-code')],
    descriptions: ['升级后执行自定义安装命令失败。'],
  },
  { group: 'u-audit-mode', sources: [fixture('audit-mode-hard-block', 'hit-setupact')], descriptions: ['机器处于审核模式，升级被阻止。'] },
  {
    group: 'u-flight-signing',
    sources: [fixture('flight-signing-hard-block', 'hit-setupact')],
    descriptions: ['升级提示测试签名开启，无法继续。'],
  },
  { group: 'u-vhd-boot', sources: [fixture('vhd-boot-hard-block', 'hit-setupact')], descriptions: ['从VHD启动的系统不能升级。'] },
  {
    group: 'u-portable-workspace',
    sources: [fixture('portable-workspace-hard-block', 'hit-setupact')],
    descriptions: ['在U盘上的Windows To Go系统升级被阻止。'],
  },
  {
    group: 'u-safe-mode',
    sources: [fixture('safe-mode-hard-block', 'hit-setupact')],
    descriptions: ['在安全模式下运行升级，提示不能升级。'],
  },
  {
    group: 'u-oc-package',
    sources: [fixture('oc-open-package-failed', 'hit-foundation-0x8007001f')],
    descriptions: ['升级过程中打开功能包失败，0x8007001f。'],
  },
  {
    group: 'u-driver-injection',
    sources: [fixture('user-driver-injection-failure', 'hit-untrusted-driver')],
    descriptions: ['升级时注入的第三方驱动不受信任，失败。'],
  },
];

const DISTRACTOR_WORDS: Record<string, string> = {
  'mct-usercancel': '用媒体创建工具下载时取消了，咨询日志里的错误。',
  '24h2-success-a': '装完24H2后想确认日志里的报错是否有影响。',
  '24h2-success-b': '安装成功了，但日志里有很多错误，需要确认。',
  '24h2-success-c': '新系统装好了，专门化阶段的日志请帮忙看一下。',
  'winpe-cleaninstall-de': '用PE全新安装德语系统，日志请帮忙看看。',
  '24h2-reset': '重置系统后日志里大量删除失败的错误。',
  'winre-reset': '恢复环境里重置电脑，想看看日志。',
  'not-setup-wudf': '驱动安装日志，和升级无关。',
  'not-setup-audmig': '音频迁移日志，客户误发。',
};

/** Deterministic GUIDs, dates and host names for each variant. */
function variant(text: string, n: number): string {
  let k = 0;
  const hex = (len: number) => {
    let s = '';
    for (let i = 0; i < len; i++) s += ((n * 7919 + k++ * 104729) % 16).toString(16);
    return s;
  };
  return text
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, () => `${hex(8)}-${hex(4)}-4${hex(3)}-a${hex(3)}-${hex(12)}`)
    .replace(
      /\b(20\d\d)-(\d\d)-(\d\d)\b/g,
      (_m, y: string, mo: string, d: string) => `${y}-${mo}-${String(((Number(d) + n * 3) % 28) + 1).padStart(2, '0')}`,
    )
    .replace(/\b(?:TJ|DESKTOP|PC)-[A-Z0-9]+\b/g, `PC-${(1000 + n * 37).toString()}`);
}

function decode(bytes: Buffer): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return iconv.decode(bytes, 'utf16le');
  const utf8 = bytes.toString('utf8');
  return utf8.includes('\uFFFD') ? iconv.decode(bytes, 'gb18030') : utf8;
}

function fixtureFiles(dir: string, n: number, rename: [RegExp, string][] = [], base = dir): LogFileInput[] {
  return fs
    .readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const full = path.join(dir, name);
      if (fs.statSync(full).isDirectory()) return fixtureFiles(full, n, rename, base);
      if (name === 'expect.yaml') return [];
      let text = variant(decode(fs.readFileSync(full)), n);
      for (const [from, to] of rename) text = text.replace(from, to);
      return [logFromBuffer(path.relative(base, full).split(path.sep).join('/'), Buffer.from(text, 'utf8'))];
    });
}

async function analyzeSource(source: Source, n: number, knowledge: Knowledge): Promise<Analysis> {
  if ('factory' in source) {
    const spec = { failure: source.factory, noiseLines: 1500, seed: 1000 + n, hostname: `PC-${1000 + n}` };
    const files = [
      logFromBuffer('UpgradeLog/C_Win_BT_Panther/setupact.log', Buffer.from(buildSetupactLog(spec).text, 'utf8')),
      logFromBuffer('UpgradeLog/setupdiag.log', Buffer.from(buildSetupdiagLog(spec), 'utf8')),
    ];
    return analyzeBundle(files, knowledge);
  }
  return analyzeBundle(fixtureFiles(source.fixture, n, source.rename), knowledge);
}

export async function buildEvalSet(knowledge: Knowledge): Promise<EvalCase[]> {
  const out: EvalCase[] = [];
  let n = 0;
  for (const spec of [...GROUPS, ...UNIQUE]) {
    for (let i = 0; i < spec.descriptions.length; i++) {
      n++;
      const analysis = await analyzeSource(spec.sources[i % spec.sources.length]!, n, knowledge);
      if (analysis.findings.length === 0) throw new Error(`${spec.group} #${i + 1}: the synthetic bundle has no finding`);
      out.push({
        id: `CAS-EVAL-${String(n).padStart(3, '0')}`,
        group: spec.group,
        description: spec.descriptions[i]!,
        analysis,
        summary: analysis.findings[0]!.resolution,
      });
    }
  }
  for (const [folder, description] of Object.entries(DISTRACTOR_WORDS)) {
    n++;
    const dir = path.join(REAL_LOGS, folder);
    const files = fs.readdirSync(dir).map((name) => logFromBuffer(name, fs.readFileSync(path.join(dir, name))));
    out.push({
      id: `CAS-EVAL-${String(n).padStart(3, '0')}`,
      group: null,
      description,
      analysis: await analyzeBundle(files, knowledge),
      summary: '客户确认日志中的错误不影响使用，案例关闭。',
    });
  }
  return out;
}

/** Templates of the runs that succeeded: what a failure fingerprint must leave out. */
export function successLogLines(): string[] {
  const lines: string[] = [];
  for (const folder of ['24h2-success-a', '24h2-success-b', '24h2-success-c', 'winpe-cleaninstall-de', '24h2-reset']) {
    const dir = path.join(REAL_LOGS, folder);
    for (const name of fs.readdirSync(dir)) lines.push(...decode(fs.readFileSync(path.join(dir, name))).split(/\r?\n/));
  }
  return lines;
}
