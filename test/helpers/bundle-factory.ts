/**
 * Synthetic CMGELogCollector bundles: a long, ordinary-looking Panther setupact.log with one
 * known failure injected near the end, the matching SetupDiag text report, and the zip the
 * customer's collector tool would produce. Everything is derived from the spec through a
 * seeded PRNG, so the same spec always yields the same bytes.
 */
import * as iconv from 'iconv-lite';
import { ZipFile } from 'yazl';

export type Failure =
  { kind: 'mig-registry'; service: string; value: string; error: number } | { kind: 'bcd-clone'; guid: string } | { kind: 'none' };

export interface BundleSpec {
  failure: Failure;
  hostname?: string;
  date?: string /* YYYY-MM-DD */;
  noiseLines?: number /* default 20000 */;
  seed?: number;
  encoding?: 'gbk' | 'utf8bom' | 'utf16le';
}

export type LogEncoding = 'gbk' | 'utf8bom' | 'utf16le';

/** Strings that identify the injected failures; ordinary activity must never contain them. */
export const FAILURE_ANCHORS: readonly string[] = [
  'Abandoning apply',
  'while applying object',
  'BcdCopyObjectEx',
  'Failed to clone store',
  'BcdExportStore',
  'Failed to backup BCD database',
  'Operation failed:',
  'reported failure',
];

// Extra strings that only the failure blocks may carry (stricter than the public list).
const PRIVATE_ANCHORS: readonly string[] = [
  '拒绝访问。',
  'Failed to get registry value',
  'Shell application requested abort',
  'Failed execution phase',
  'Using action error code',
];

const DEFAULTS = { date: '2022-04-15', hostname: 'TJ-PC0153', noiseLines: 20000, encoding: 'gbk' as LogEncoding };

// Clock time of the first failure line. The mig/bcd values are the seed case's own timestamps.
const FAILURE_CLOCK: Record<Failure['kind'], string> = {
  'mig-registry': '15:00:13',
  'bcd-clone': '16:59:41',
  none: '14:26:52',
};

// ---------------------------------------------------------------------------------------------
// Deterministic randomness

class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** mulberry32: tiny, fast and good enough for shuffling log noise. */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return at(items, this.int(items.length));
  }

  hex(len: number): string {
    let s = '';
    for (let i = 0; i < len; i++) s += '0123456789abcdef'.charAt(this.int(16));
    return s;
  }

  guid(): string {
    return `${this.hex(8)}-${this.hex(4)}-4${this.hex(3)}-${'89ab'.charAt(this.int(4))}${this.hex(3)}-${this.hex(12)}`;
  }
}

function at<T>(items: readonly T[], i: number): T {
  const v = items[i];
  if (v === undefined) throw new Error(`index ${i} out of range (${items.length})`);
  return v;
}

function hashString(s: string): number {
  // FNV-1a, so a spec without an explicit seed still gets a stable, spec-specific one.
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

// ---------------------------------------------------------------------------------------------
// Time helpers. Times are "wall clock" seconds handled as UTC so the host's TZ never matters.

function parseDay(date: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) throw new Error(`date must be YYYY-MM-DD: ${date}`);
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) / 1000;
}

function clockSeconds(clock: string): number {
  const [h, m, s] = clock.split(':').map(Number);
  return (h ?? 0) * 3600 + (m ?? 0) * 60 + (s ?? 0);
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

function fmtStamp(t: number): string {
  const d = new Date(t * 1000);
  return (
    `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())} ` +
    `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}`
  );
}

/** zh-CN short form as SetupDiag prints it on a Chinese host: 2022/4/15 13:38:52 */
function fmtZhDateTime(t: number): string {
  const d = new Date(t * 1000);
  return (
    `${d.getUTCFullYear()}/${d.getUTCMonth() + 1}/${d.getUTCDate()} ` +
    `${d.getUTCHours()}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}`
  );
}

function fmtElapsed(sec: number): string {
  return `${pad2(Math.floor(sec / 3600))}:${pad2(Math.floor((sec % 3600) / 60))}:${pad2(sec % 60)}`;
}

/** yazl writes DOS timestamps from local-time getters, so build the Date in local time. */
function zipDate(t: number): Date {
  const d = new Date(t * 1000);
  return new Date(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds());
}

// ---------------------------------------------------------------------------------------------
// Log writer

type Level = 'Info' | 'Warning' | 'Error' | string;

interface Entry {
  dt: number; // seconds since the previous record
  body: string; // everything after "YYYY-MM-DD HH:MM:SS, "
  bare: boolean; // continuation line: written without a timestamp
}

function levelWithId(level: string, id: string): string {
  return `${level.padEnd(10)} [${id}]`;
}

class LogWriter {
  readonly entries: Entry[] = [];
  /** probability that a record is one second later than the previous one */
  pace = 0.2;
  private pendingGap = 0;

  constructor(private readonly rng: Rng) {}

  get length(): number {
    return this.entries.length;
  }

  add(level: Level, comp: string, msg: string, dt?: number): void {
    const step = (dt ?? (this.rng.chance(this.pace) ? 1 : 0)) + this.pendingGap;
    this.pendingGap = 0;
    this.entries.push({ dt: step, body: `${level.padEnd(21)} ${comp.padEnd(6)} ${msg}`, bare: false });
  }

  info(comp: string, msg: string, dt?: number): void {
    this.add('Info', comp, msg, dt);
  }

  warn(comp: string, msg: string, dt?: number): void {
    this.add('Warning', comp, msg, dt);
  }

  error(comp: string, msg: string, dt?: number): void {
    this.add('Error', comp, msg, dt);
  }

  /** A record that continues on the next physical line (no timestamp). */
  cont(text: string): void {
    this.entries.push({ dt: 0, body: text, bare: true });
  }

  /** Long-running work shows up as a jump of the clock before the next record. */
  gap(seconds: number): void {
    this.pendingGap += seconds;
  }
}

// ---------------------------------------------------------------------------------------------
// Static pools. Chinese strings are what a zh-CN host really writes (device names, start-menu
// folders, program names); all of them are GBK-encodable.

const HOST_OS = {
  version: '10.0.17763',
  build: '17763.1.amd64fre.rs5_release.180914-1434',
  edition: 'EnterpriseG',
  product: 'Windows 10 Enterprise G',
  productZh: 'Microsoft Windows 10 企业版 G',
};
const TARGET_OS = { version: '10.0.19041.1', build: '10.0.19041.1 (vb_release.191206-1406)' };

interface Machine {
  manufacturer: string;
  model: string;
  biosVendor: string;
  biosVersion: string;
  biosDate: string; // YYYYMMDD
  cpu: string;
  ramMb: number;
}

const MACHINES: readonly Machine[] = [
  {
    manufacturer: 'LENOVO',
    model: 'ThinkCentre M720t-N000',
    biosVendor: 'LENOVO',
    biosVersion: 'M1UKT4BA',
    biosDate: '20210610',
    cpu: 'Intel64 Family 6 Model 158 Stepping 10 GenuineIntel ~3000 Mhz',
    ramMb: 8072,
  },
  {
    manufacturer: 'HP',
    model: 'HP ProDesk 480 G7 PCI Microtower PC',
    biosVendor: 'HP',
    biosVersion: 'S21 Ver. 02.05.01',
    biosDate: '20210312',
    cpu: 'Intel64 Family 6 Model 165 Stepping 3 GenuineIntel ~2904 Mhz',
    ramMb: 16230,
  },
  {
    manufacturer: 'Dell Inc.',
    model: 'OptiPlex 7080',
    biosVendor: 'Dell Inc.',
    biosVersion: '1.6.2',
    biosDate: '20210416',
    cpu: 'Intel64 Family 6 Model 165 Stepping 5 GenuineIntel ~2904 Mhz',
    ramMb: 8021,
  },
  {
    manufacturer: 'TSINGHUA TONGFANG CO.,LTD',
    model: 'THTF-Z860',
    biosVendor: 'American Megatrends Inc.',
    biosVersion: 'Z860V1.03',
    biosDate: '20200918',
    cpu: 'Intel64 Family 6 Model 158 Stepping 13 GenuineIntel ~2904 Mhz',
    ramMb: 8067,
  },
];

// [inf, device description as shown on a zh-CN host, hardware id]
const DRIVERS: readonly (readonly [string, string, string])[] = [
  ['e1d68x64.inf', 'Intel(R) Ethernet Connection (7) I219-LM', 'PCI\\VEN_8086&DEV_15BB&SUBSYS_312E17AA&REV_10'],
  ['rt640x64.inf', 'Realtek PCIe GbE Family Controller', 'PCI\\VEN_10EC&DEV_8168&SUBSYS_84321043&REV_15'],
  ['netwtw08.inf', 'Intel(R) Wireless-AC 9560 160MHz', 'PCI\\VEN_8086&DEV_A370&SUBSYS_00348086&REV_10'],
  ['hdaudio.inf', '高清晰度音频设备', 'HDAUDIO\\FUNC_01&VEN_10EC&DEV_0662&SUBSYS_17AA3136'],
  ['hdxrt.inf', 'Realtek High Definition Audio', 'HDAUDIO\\FUNC_01&VEN_10EC&DEV_0897&SUBSYS_17AA3137'],
  ['iastorac.inf', 'Intel(R) Chipset SATA/PCIe RST Premium Controller', 'PCI\\VEN_8086&DEV_2822&CC_0104'],
  ['storahci.inf', '标准 SATA AHCI 控制器', 'PCI\\VEN_8086&DEV_A352&CC_0106'],
  ['usbxhci.inf', 'USB xHCI 兼容的主机控制器', 'PCI\\VEN_8086&DEV_A36D&CC_0C0330'],
  ['usbhub3.inf', 'USB 根集线器(USB 3.0)', 'USB\\ROOT_HUB30'],
  ['usbstor.inf', 'USB 大容量存储设备', 'USB\\Class_08&SubClass_06&Prot_50'],
  ['keyboard.inf', 'HID 键盘设备', 'HID_DEVICE_SYSTEM_KEYBOARD'],
  ['msmouse.inf', '符合 HID 标准的鼠标', 'HID_DEVICE_SYSTEM_MOUSE'],
  ['input.inf', 'USB 输入设备', 'USB\\Class_03&SubClass_01'],
  ['machine.inf', 'PCI 标准主机 CPU 桥', 'PCI\\VEN_8086&DEV_3E92&CC_0600'],
  ['pci.inf', 'PCI Express 根端口', 'PCI\\VEN_8086&DEV_A340&CC_0604'],
  ['heci.inf', 'Intel(R) Management Engine Interface', 'PCI\\VEN_8086&DEV_A360&CC_0780'],
  ['igdlh64.inf', 'Intel(R) UHD Graphics 630', 'PCI\\VEN_8086&DEV_3E92&SUBSYS_312E17AA'],
  ['ialpssi_gpio.inf', 'Intel(R) Serial IO GPIO Host Controller - INT3450', 'ACPI\\INT3450'],
  ['ibtusb.inf', 'Intel(R) Wireless Bluetooth(R)', 'USB\\VID_8087&PID_0AAA&REV_0002'],
  ['rtsuer.inf', 'Realtek USB 3.0 Card Reader', 'USB\\VID_0BDA&PID_0328&REV_2999'],
  ['disk.inf', '磁盘驱动器', 'SCSI\\DiskSAMSUNG_MZVLB256HBHQ-000L7_'],
  ['volume.inf', '卷', 'STORAGE\\Volume'],
  ['acpi.inf', 'Microsoft ACPI-Compliant System', 'ACPI_HAL\\PNP0C08'],
  ['cpu.inf', 'Intel Processor', 'ACPI\\GenuineIntel_-_Intel64_Family_6_Model_158'],
  ['monitor.inf', '通用即插即用监视器', 'MONITOR\\LEN65F9'],
  ['prnms001.inf', 'Microsoft XPS Document Writer', 'PRINTENUM\\{0f4130dd-19c7-7ab6-99a1-980f03b2ee4e}'],
  ['prnms009.inf', 'Microsoft Print to PDF', 'PRINTENUM\\{084f01fa-e634-4d77-83ee-074817c03581}'],
  ['tpm.inf', '受信任的平台模块 2.0', 'ACPI\\MSFT0101'],
  ['swenum.inf', '软件设备', 'SWD\\MSRRAS\\MS_NDISWANIP'],
  ['umbus.inf', 'UMBus 根总线枚举器', 'root\\umbus'],
  ['mssmbios.inf', 'Microsoft 系统管理 BIOS 驱动程序', 'ROOT\\mssmbios'],
  ['compositebus.inf', '复合总线枚举器', 'ROOT\\CompositeBus'],
];

// Services the migration engine gathers and rollback restores (the failing one is filtered out).
const SERVICES: readonly string[] = [
  'Tcpip',
  'Dhcp',
  'Dnscache',
  'LanmanWorkstation',
  'LanmanServer',
  'Spooler',
  'W32Time',
  'BITS',
  'wuauserv',
  'EventLog',
  'Schedule',
  'Winmgmt',
  'MpsSvc',
  'WinDefend',
  'AudioSrv',
  'Themes',
  'SysMain',
  'WSearch',
  'CryptSvc',
  'iphlpsvc',
  'nsi',
  'PlugPlay',
  'Power',
  'ProfSvc',
  'Netlogon',
  'TermService',
  'SENS',
  'ShellHWDetection',
  'Wcmsvc',
  'WlanSvc',
];

// Migration manifests: [component, display id]
const MANIFESTS: readonly (readonly [string, string])[] = [
  ['Microsoft-Windows-TerminalServices-RemoteConnectionManager', 'Additional_Options\\Windows_Core_Settings'],
  ['Microsoft-Windows-Shell-Setup', 'Appearance_and_Display\\Personalized_Settings'],
  ['Microsoft-Windows-International-Core', 'Date_Time_Language_and_Region\\Regional_Language_Options'],
  ['Microsoft-Windows-Audio-AudioCore', '(NULL)'],
  ['Microsoft-Windows-Printing-Spooler-Core', 'Hardware\\Printers_and_Faxes'],
  ['Microsoft-Windows-TCPIP', 'Network_and_Internet\\Networking_Connections'],
  ['Microsoft-Windows-Dhcp-Client', 'Network_and_Internet\\Networking_Connections'],
  ['Microsoft-Windows-DNS-Client', 'Network_and_Internet\\Networking_Connections'],
  ['Microsoft-Windows-IE-InternetExplorer', 'Network_and_Internet\\Internet_Options'],
  ['Microsoft-Windows-Security-SPP', '(NULL)'],
  ['Microsoft-Windows-Winlogon', 'Additional_Options\\Windows_Core_Settings'],
  ['Microsoft-Windows-Time-Service', 'Date_Time_Language_and_Region\\Date_and_Time'],
  ['Microsoft-Windows-Bits-Client', '(NULL)'],
  ['Microsoft-Windows-TaskScheduler-Service', 'Additional_Options\\Windows_Core_Settings'],
  ['Microsoft-Windows-WMI-Core', '(NULL)'],
  ['Microsoft-Windows-RasServer', 'Network_and_Internet\\Networking_Connections'],
  ['Microsoft-Windows-Networking-MPSSVC-Svc', 'Security\\Windows_Firewall'],
  ['Microsoft-Windows-Eventlog', '(NULL)'],
  ['Microsoft-Windows-Font-Fonts', 'Appearance_and_Display\\Fonts'],
  ['Microsoft-Windows-IME-Simplified-Chinese-Pinyin', 'Date_Time_Language_and_Region\\Input_Methods'],
  ['Microsoft-Windows-Explorer', 'Appearance_and_Display\\Personalized_Settings'],
  ['Microsoft-Windows-Themes', 'Appearance_and_Display\\Personalized_Settings'],
  ['Microsoft-Windows-Crypto-keys', 'Security\\Security_Options'],
  ['Microsoft-Windows-SMBServer', 'Network_and_Internet\\Networking_Connections'],
  ['Microsoft-Windows-Wlansvc', 'Network_and_Internet\\Networking_Connections'],
  ['Microsoft-Windows-Power-Policy', 'Hardware\\Power_Options'],
  ['Microsoft-Windows-UserAccountControl', 'Security\\User_Account_Control'],
  ['Microsoft-Windows-Credential-Manager', 'Security\\Security_Options'],
];

// Start-menu folders on a zh-CN install (the OSDB patterns name them in the local language).
const START_MENU: readonly string[] = [
  'C:\\ProgramData\\Microsoft\\Windows\\Start Menu\\Programs\\附件\\系统工具',
  'C:\\ProgramData\\Microsoft\\Windows\\Start Menu\\Programs\\附件\\辅助功能',
  'C:\\ProgramData\\Microsoft\\Windows\\Start Menu\\Programs\\管理工具',
  'C:\\Users\\Default\\AppData\\Roaming\\Microsoft\\Windows\\Start Menu\\Programs\\附件',
  'C:\\Users\\Default\\AppData\\Roaming\\Microsoft\\Windows\\Start Menu\\Programs\\Windows PowerShell',
  'C:\\ProgramData\\Microsoft\\Windows\\Start Menu\\Programs\\Accessories\\System Tools',
  'C:\\ProgramData\\Microsoft\\Windows\\Start Menu\\Programs\\Startup',
];
const START_MENU_FILES: readonly string[] = ['*', 'desktop.ini', 'Character Map.lnk', 'Internet Explorer.lnk', 'Notepad.lnk', 'Paint.lnk'];

// [program, publisher, main file]
const PROGRAMS: readonly (readonly [string, string, string])[] = [
  ['WPS Office (11.8.2.10386)', 'Kingsoft Corp.', 'c:\\program files (x86)\\kingsoft\\wps office\\ksolaunch.exe'],
  ['DSPClient 文档安全防护系统', 'DSP Security Co.,Ltd.', 'c:\\program files\\dspclient\\dspmon.exe'],
  ['搜狗输入法 11.2正式版', 'Sogou.com', 'c:\\program files (x86)\\sogouinput\\11.2.0.5160\\sogoucloud.exe'],
  ['Microsoft Office Professional Plus 2016', 'Microsoft Corporation', 'c:\\program files\\microsoft office\\root\\office16\\winword.exe'],
  ['Google Chrome', 'Google LLC', 'c:\\program files\\google\\chrome\\application\\chrome.exe'],
  [
    'Adobe Acrobat Reader DC - Chinese Simplified',
    'Adobe Systems Incorporated',
    'c:\\program files (x86)\\adobe\\acrobat reader dc\\reader\\acrord32.exe',
  ],
  ['7-Zip 19.00 (x64)', 'Igor Pavlov', 'c:\\program files\\7-zip\\7zfm.exe'],
  [
    'Microsoft Visual C++ 2015-2019 Redistributable (x64) - 14.28.29913',
    'Microsoft Corporation',
    'c:\\windows\\system32\\vcruntime140.dll',
  ],
  [
    'Intel(R) Management Engine Components',
    'Intel Corporation',
    'c:\\program files (x86)\\intel\\intel(r) management engine components\\lms\\lms.exe',
  ],
  ['Realtek High Definition Audio Driver', 'Realtek Semiconductor Corp.', 'c:\\program files\\realtek\\audio\\hda\\rtkngui64.exe'],
  ['福昕阅读器', 'Foxit Software Inc.', 'c:\\program files (x86)\\foxit software\\foxit reader\\foxitreader.exe'],
  ['Foxmail', 'Tencent', 'd:\\foxmail 7.2\\foxmail.exe'],
];

const SYSTEM_FILES: readonly string[] = [
  'acpi.sys',
  'afd.sys',
  'cng.sys',
  'disk.sys',
  'fltmgr.sys',
  'http.sys',
  'iastorac.sys',
  'ndis.sys',
  'netio.sys',
  'ntfs.sys',
  'pci.sys',
  'storport.sys',
  'tcpip.sys',
  'usbhub3.sys',
  'usbxhci.sys',
  'volmgr.sys',
  'wdfilter.sys',
  'wof.sys',
  'e1d68x64.sys',
  'rt640x64.sys',
  'netwtw08.sys',
  'igdkmd64.sys',
  'heci.sys',
  'rtsuer.sys',
  'hdaudbus.sys',
  'ks.sys',
  'mountmgr.sys',
  'partmgr.sys',
];

const CBS_PACKAGES: readonly string[] = [
  'Microsoft-Windows-Foundation-Package',
  'Microsoft-Windows-Client-Features-Package',
  'Microsoft-Windows-EnterpriseGEdition',
  'Microsoft-Windows-Client-LanguagePack-Package',
  'Microsoft-Windows-LanguageFeatures-Basic-zh-cn-Package',
  'Microsoft-Windows-LanguageFeatures-Fonts-Hans-Package',
  'Microsoft-Windows-LanguageFeatures-Handwriting-zh-cn-Package',
  'Microsoft-Windows-NetFx3-OnDemand-Package',
  'Microsoft-Windows-InternetExplorer-Optional-Package',
  'Microsoft-Windows-MediaPlayer-Package',
  'Microsoft-Windows-Printing-PrintToPDFServices-Package',
  'Microsoft-Windows-Printing-XPSServices-Package',
  'Microsoft-Windows-TFTP-Client-Package',
  'Microsoft-Windows-SimpleTCP-Package',
  'Microsoft-OneCore-ApplicationModel-Sync-Desktop-FOD-Package',
  'Microsoft-Windows-Hello-Face-Package',
];

const CSI_COMPONENTS: readonly string[] = [
  'servicingstack',
  'kernel32',
  'shell32',
  'explorer',
  'tcpip',
  'ntfs',
  'audio-audiocore',
  'printing-spooler-core',
  'security-spp',
  'international-core',
  'winlogon',
  'taskscheduler-service',
  'wmi-core',
  'bits-client',
  'dns-client',
  'dhcp-client',
  'font-truetype-simsun',
  'font-truetype-msyh',
  'ime-simplified-chinese-pinyin',
  'ie-internetexplorer',
  'themes',
  'credential-manager',
  'useraccountcontrol',
  'power-policy',
  'rasserver',
  'wlansvc',
  'smbserver',
  'eventlog',
];

const MIG_PLUGINS: readonly string[] = [
  'AppxUpgradeMigrationPlugin.dll',
  'VsmKeyMigPlugin.dll',
  'ShellMigPlugin.dll',
  'PrintMigPlugin.dll',
  'WlanMigPlugin.dll',
  'NetSetupMigPlugin.dll',
  'WpnMigPlugin.dll',
];

const SYSPREP_MODULES: readonly (readonly [string, string])[] = [
  ['spbcd.dll', 'Sysprep_Specialize_Bcd'],
  ['spopk.dll', 'Sysprep_Specialize_Opk'],
  ['msdtcprx.dll', 'Sysprep_Specialize_MSDTC'],
  ['spwmp.dll', 'Sysprep_Specialize_WMP'],
  ['setupcln.dll', 'Sysprep_Specialize_Cleanup'],
  ['spnet.dll', 'Sysprep_Specialize_Net'],
  ['pnpsysprep.dll', 'Sysprep_Specialize_PnP'],
  ['tapisysprep.dll', 'Sysprep_Specialize_Tapi'],
  ['fthsvc.dll', 'Sysprep_Specialize_FaultTolerantHeap'],
];

const SYSPREP_ORDER: readonly string[] = [
  'Microsoft-Windows-WofUtil',
  'Microsoft-Windows-Sysprep-SpOpk',
  'Microsoft-Windows-Restore-ACL-CmdLine',
  'Microsoft-Windows-Fault-Tolerant-Heap-Core',
  'Microsoft-Windows-PnpSysprep',
  'Microsoft-Windows-Syssetup',
  'Microsoft-Windows-Security-Security Configuration Engine Client',
  'Microsoft-Windows-TapiSetup',
  'Microsoft-Windows-MSDTC-Server',
  'Microsoft-Windows-Shell-Setup',
];

const ROLLBACK_FILES: readonly string[] = [
  'C:\\Windows\\System32\\config\\SYSTEM',
  'C:\\Windows\\System32\\config\\SOFTWARE',
  'C:\\Windows\\System32\\config\\DEFAULT',
  'C:\\Windows\\System32\\config\\SAM',
  'C:\\Windows\\System32\\config\\SECURITY',
  'C:\\Windows\\System32\\winload.efi',
  'C:\\Windows\\System32\\ntoskrnl.exe',
  'C:\\Windows\\System32\\hal.dll',
  'C:\\Windows\\System32\\drivers\\ntfs.sys',
  'C:\\Windows\\System32\\drivers\\volmgr.sys',
  'C:\\Windows\\System32\\drivers\\disk.sys',
  'C:\\Windows\\System32\\drivers\\iastorac.sys',
  'C:\\Windows\\System32\\CodeIntegrity\\driver.stl',
  'C:\\Windows\\Boot\\EFI\\bootmgfw.efi',
];

// ---------------------------------------------------------------------------------------------
// Generation context

interface NormalSpec {
  failure: Failure;
  hostname: string;
  date: string;
  noiseLines: number;
  seed: number;
  encoding: LogEncoding;
}

function normalise(spec: BundleSpec): NormalSpec {
  const failure = spec.failure;
  if (failure.kind === 'bcd-clone' && !/^\{?[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}\}?$/.test(failure.guid)) {
    throw new Error(`not a GUID: ${failure.guid}`);
  }
  const hostname = spec.hostname ?? DEFAULTS.hostname;
  const date = spec.date ?? DEFAULTS.date;
  parseDay(date);
  return {
    failure,
    hostname,
    date,
    noiseLines: spec.noiseLines ?? DEFAULTS.noiseLines,
    seed: spec.seed ?? hashString(JSON.stringify([failure, hostname, date])),
    encoding: spec.encoding ?? DEFAULTS.encoding,
  };
}

interface Driver {
  inf: string;
  desc: string;
  hwid: string;
  dir: string; // DriverStore folder name
}

interface Ctx {
  spec: NormalSpec;
  rng: Rng;
  w: LogWriter;
  machine: Machine;
  drivers: Driver[];
  services: string[];
  csiDirs: Map<string, string>;
  pluginClsids: Map<string, string>;
  users: string[];
  userSid: string;
  pid: { dismHost: number; dismApi: number; migHost: number; setupHost: number };
  tids: number[];
  csiSeq: number;
  diskFree: number;
  memAvail: number;
  heap: number;
  opId: number;
}

function makeCtx(spec: NormalSpec, rng: Rng, w: LogWriter): Ctx {
  const excluded = spec.failure.kind === 'mig-registry' ? spec.failure.service.toLowerCase() : '';
  const csiDirs = new Map<string, string>();
  for (const c of CSI_COMPONENTS) {
    csiDirs.set(c, `amd64_microsoft-windows-${c}_31bf3856ad364e35_${TARGET_OS.version}_none_${rng.hex(16)}`);
  }
  const pluginClsids = new Map<string, string>();
  for (const p of MIG_PLUGINS) pluginClsids.set(p, `{${rng.guid().toUpperCase()}}`);
  const machine = rng.pick(MACHINES);
  return {
    spec,
    rng,
    w,
    machine,
    drivers: DRIVERS.map(([inf, desc, hwid]) => ({ inf, desc, hwid, dir: `${inf}_amd64_${rng.hex(16)}` })),
    services: SERVICES.filter((s) => s.toLowerCase() !== excluded),
    csiDirs,
    pluginClsids,
    users: ['Administrator', `user${rng.range(10, 99)}`, 'admin'],
    userSid: `S-1-5-21-${rng.range(1000000000, 3999999999)}-${rng.range(1000000000, 3999999999)}-${rng.range(100000000, 999999999)}`,
    pid: {
      dismHost: rng.range(1000, 9000),
      dismApi: rng.range(1000, 9000),
      migHost: rng.range(1000, 9000),
      setupHost: rng.range(1000, 9000),
    },
    tids: [rng.range(1000, 9000), rng.range(1000, 9000), rng.range(1000, 9000)],
    csiSeq: 0,
    diskFree: rng.range(60, 180) * 1024 * 1024 * 1024 + rng.int(1 << 20) * 4096,
    memAvail: machine.ramMb * 1024 * 1024 * 0.55,
    heap: rng.range(400000, 900000),
    opId: 0,
  };
}

// ---------------------------------------------------------------------------------------------
// Noise phases

function fillUntil(ctx: Ctx, target: number, episode: () => void): void {
  while (ctx.w.length < target) episode();
}

function spOpStart(ctx: Ctx, name: string): void {
  const { w, rng } = ctx;
  const total = ctx.machine.ramMb * 1024 * 1024;
  ctx.memAvail = Math.max(total * 0.2, Math.min(total * 0.8, ctx.memAvail + rng.range(-40, 40) * 1048576));
  w.info('SP', `Executing operation: ${name}`);
  w.info('SP', `MEMORYTRACK_P: Memory load       : ${Math.round((1 - ctx.memAvail / total) * 100)} %`);
  w.info('SP', `MEMORYTRACK_P: Total for process : ${total}`);
  w.info('SP', `MEMORYTRACK_P: Available         : ${Math.round(ctx.memAvail)}`);
  w.info('SP', `MEMORYTRACK_H: Heap memory used  : ${ctx.heap}`);
  w.info('SP', `DISKSPACETRACK: Available      : ${ctx.diskFree}`);
  w.info('SP', `DISKSPACETRACK: Needed total   : ${rng.pick([367001600, 524288000, 3221225472])}`);
  w.info('SP', `DISKSPACETRACK: Needed for op  : ${rng.pick([0, 0, 52428800, 209715200])}`);
  w.info('SP', '>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>');
}

function spOpEnd(ctx: Ctx, name: string): void {
  const { w, rng } = ctx;
  const consumed = rng.pick([0, 0, 0, 4096, 1048576, 52428800]);
  const heapDelta = rng.pick([0, 0, 4878, 12288]);
  ctx.diskFree -= consumed;
  ctx.heap += heapDelta;
  w.info('SP', '<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<');
  w.info('SP', `Operation completed successfully: ${name}`);
  w.info('SP', `MEMORYTRACK_P: Available after   : ${Math.round(ctx.memAvail)}`);
  w.info('SP', 'MEMORYTRACK_P: Consumed          : 0');
  w.info('SP', `MEMORYTRACK_H: In use after op   : ${ctx.heap}`);
  w.info('SP', `MEMORYTRACK_H: Consumed          : ${heapDelta}`);
  w.info('SP', `DISKSPACETRACK: After op     : ${ctx.diskFree}`);
  w.info('SP', `DISKSPACETRACK: Consumed     : ${consumed}`);
}

function spOp(ctx: Ctx, name: string, body: () => void): void {
  spOpStart(ctx, name);
  body();
  spOpEnd(ctx, name);
}

function progress(ctx: Ctx, pct: number): void {
  const { w } = ctx;
  w.info('SP', `SetupPlatform: Global progress: ${pct}, Phase progress: ${Math.min(100, pct * 2)}`);
  w.info('MOUPG', `Overall progress: [${pct}%]`);
  w.info('MOUPG', `Mapped Global progress: [${pct}%]`);
}

function setupHostInit(ctx: Ctx): void {
  const { w, rng, spec } = ctx;
  w.pace = 0.05;
  w.info('MOUPG', '*************** SetupHost Logging Begin ***************', 0);
  w.info('MOUPG', 'SetupHost::Initialize');
  const init: [string, string][] = [
    ['ModulePath', 'C:\\$WINDOWS.~BT\\Sources'],
    ['WorkingPath', 'C:\\$WINDOWS.~BT\\Sources'],
    ['LoggingPath', 'C:\\$WINDOWS.~BT\\Sources\\Panther'],
    ['MediaPath', 'D:\\'],
    ['InstallFilePath', ''],
    ['ActionListFilePath', ''],
    ['CmdLine', '/Auto Upgrade /Quiet /NoReboot /DynamicUpdate Disable /Compat IgnoreWarning /ShowOOBE None '],
    ['Mode', '0x1'],
    ['Scenario', '0x5'],
    ['Flags', '0x0'],
  ];
  for (const [k, v] of init) w.info('MOUPG', `SetupHost::Initialize: ${k.padEnd(23)}= [${v}]`);
  w.info('MOUPG', `SetupHost: Setup build version is: ${TARGET_OS.build}`);
  w.info(
    'CONX',
    "pGetHostCSDBuildNumber: 'HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\CSDBuildNumber' does not exist. Assume 0",
  );
  w.info('CONX', `Host OS version: ${HOST_OS.version}.0  (0.0) Platform 0x2, SuiteMask 0x100, ProdType 0x1`);
  w.info(
    'CONX',
    `Source OS: Host SKU Info: Edition = '${HOST_OS.edition}', Edition Type = 'Client', Installation Type = 'Complete', Product Name = '${HOST_OS.product}', Arch = amd64, StationType = Client Workstation, Stage type = Staged Image`,
  );
  w.info('CONX', `Host machine name: ${spec.hostname}`);
  const hostInfo: [string, string][] = [
    ['Host OS License State', 'Genuine'],
    ['Host OS Architecture', 'x64'],
    ['Host OS Language Id', '2052'],
    ['User UI Language Id', '2052'],
    ['Host OS Edition', HOST_OS.edition],
    ['Host OS Version', HOST_OS.version],
    ['Host OS Build String', HOST_OS.build],
  ];
  for (const [k, v] of hostInfo) w.info('MOUPG', `    ${k.padEnd(24)}[ ${v} ]`);
  w.info('MOUPG', 'SetupHost::InitializeComponents');
  for (const dll of ['SetupUIMgr.dll', 'SetupCore.dll', 'SetupCore.dll', 'SetupMgr.dll', 'SetupPlatform.dll']) {
    w.info('MOUPG', `SetupHost: Loading ID: [${rng.guid()}] from [C:\\$WINDOWS.~BT\\Sources\\${dll}]...`);
    w.info('MOUPG', 'SetupHost: Loading complete.');
  }
  w.info('MOUPG', 'CInstallUI::Initialize');
  w.info('MOUPG', 'SetupHost: Initializing automation...');
  w.error('MOUPG', 'CInstallUI::GetDefaultLanguage(2027): Result = 0x80070002[gle=0x00000002]');
  w.info('MOUPG', 'SetupHost: Automation information not found. Releasing automation object.');
}

function oneSettings(ctx: Ctx): void {
  const { w, rng } = ctx;
  w.info('MOUPG', 'SetupHost: Attempting to initialize OneSettings values');
  const values: [string, string][] = [
    ['OS', 'windows'],
    ['OsVer', `${HOST_OS.build}`],
    ['ScenarioId', '5'],
    ['EditionId', HOST_OS.edition],
    ['InstallationType', 'Client'],
    ['Sku', '171'],
    ['DeviceId', `{${rng.guid().toUpperCase()}}`],
    ['AppVer', TARGET_OS.version],
    ['Branch', 'vb_release'],
  ];
  for (const [k, v] of values) w.info('MOUPG', `OneSettings: ${k} [${v}]`);
  // Intranet machines cannot reach the settings service: a harmless timeout in every run.
  w.gap(21);
  w.warn('MOUPG', 'OneSettings: Unable to reach settings endpoint [settings-win.data.microsoft.com] -> [0x80072EE7]');
  w.error('MOUPG', 'CSetupHost::InitializeOneSettings(1045): Result = 0x80072EE7');
  w.info('MOUPG', 'OneSettings: Initialization failed, continuing with default values.');
  w.info('MOUPG', 'SetupHost: OneSettings Initialized -> [No]');
  const mgr: [string, string][] = [
    ['WorkingPath', 'C:\\$WINDOWS.~BT\\Sources'],
    ['MediaPath', 'D:\\'],
    ['InstallFilePath', ''],
    ['ActionListFilePath', ''],
    ['Mode', '0x1'],
  ];
  for (const [k, v] of mgr) w.info('MOUPG', `SetupManager::Initialize: ${k.padEnd(23)}= [${v}]`);
  w.info('MOUPG', 'SetupManager: Executing task [Download] ...');
  w.info('MOUPG', 'DlpTask: Entering Execute Method');
  w.info('MOUPG', 'DlpTask: Dynamic update is disabled by the command line. Skipping download phase.');
  w.info('MOUPG', 'DlpTask: Leaving Execute Method');
  w.info('MOUPG', 'SetupManager: Executing task [Compat] ...');
}

function compatScan(ctx: Ctx, target: number): void {
  const { w, rng } = ctx;
  w.pace = 0.05;
  w.info('CONX', 'Windows::Compat::Appraiser::Appraiser::RunAppraiser: Starting appraiser run (RunMode = Setup)');
  w.error(
    'CONX',
    'Windows::Compat::Appraiser::AppraiserSettings::GetSettingsInternal (290): Failed to Query OneSettings [0x80072ee7].[gle=0x80072ee7]',
  );
  for (const d of ctx.drivers) {
    w.info('CONX', `aedrv: Processing device [${d.desc}] HardwareId [${d.hwid}]`);
    w.info('CONX', `aedrv: Driver package [${d.inf}] is inbox or has a compatible replacement; no action required.`);
    if (rng.chance(0.1)) w.warn('CONX', `aedrv: Device [${d.desc}] reports no compatible ID list; skipping driver-level checks.`);
  }
  for (const [name, pub, file] of PROGRAMS) {
    w.info('CONX', `Appraiser: Evaluating program [${name}] Publisher [${pub}]`);
    w.info('CONX', `aepic: TRACE,File::SetBaseFileInfoForPic,596,SetBaseFileInfoForPic: Added file: ${file}`);
    w.info('CONX', `aepic: TRACE,File::SetBaseFileInfoForPic,600,Retrieved "${file}" info from file`);
    if (rng.chance(0.3)) w.warn('CONX', `Appraiser: Unable to read DisplayVersion for program [${name}]; using file version instead.`);
    w.info('CONX', `Appraiser: Program [${name}] has no compatibility issues (Result = Pass)`);
  }
  let k = 0;
  fillUntil(ctx, target, () => {
    const f = rng.pick(SYSTEM_FILES);
    const path = `c:\\windows\\system32\\drivers\\${f}`;
    w.info('CONX', `aepic: TRACE,PicRetrieveFileInfo,838,Deprecated flag used: [0x4000]`);
    w.info('CONX', `aepic: TRACE,File::SetBaseFileInfoForPic,596,SetBaseFileInfoForPic: Added orphan file: ${path}`);
    w.info('CONX', `aepic: TRACE,File::SetBaseFileInfoForPic,600,Retrieved "${path}" info from file`);
    if (++k % 150 === 0) {
      w.error(
        'CONX',
        'Windows::Compat::Appraiser::AppraiserSettings::GetSettingsInternal (290): Failed to Query OneSettings [0x80072ee7].[gle=0x80072ee7]',
      );
    }
    if (rng.chance(0.01))
      w.warn('CONX', `CompatProvider: Dismissible compat warning for [${rng.pick(PROGRAMS)[0]}] ignored (/Compat IgnoreWarning).`);
  });
  w.info('CONX', 'Windows::Compat::Appraiser::Appraiser::RunAppraiser: Appraiser run completed, 0 hard blocks, 0 soft blocks');
  w.info('MOUPG', 'SetupManager: Compat task completed -> [0x0]');
}

function cbsApply(ctx: Ctx, target: number): void {
  const { w, rng } = ctx;
  w.pace = 0.35;
  w.info(
    'CBS',
    'Offline servicing, using stack version from: C:\\$WINDOWS.~BT\\NewOS\\Windows\\WinSxS\\' +
      (ctx.csiDirs.get('servicingstack') ?? '') +
      '\\cbscore.dll',
  );
  w.info('CBS', 'Setting core mode: CbsCoreModeOffline');
  w.info('CBS', 'Lazy store initialization mode');
  let reported = false;
  fillUntil(ctx, target, () => {
    const pkg = rng.pick(CBS_PACKAGES);
    const ident = `${pkg}~31bf3856ad364e35~amd64~~${TARGET_OS.version}`;
    w.info('CBS', `Exec: Staging Package: ${ident}, manifest: \\\\?\\C:\\$WINDOWS.~BT\\NewOS\\Windows\\servicing\\Packages\\${ident}.mum`);
    w.info('CBS', `Appl: Evaluating package applicability for package ${ident}, applicable state: Installed`);
    const n = rng.range(2, 5);
    for (let i = 0; i < n; i++) {
      const comp = rng.pick(CSI_COMPONENTS);
      const dir = ctx.csiDirs.get(comp) ?? comp;
      const seq = (++ctx.csiSeq).toString(16).padStart(8, '0');
      const path = `\\??\\C:\\$WINDOWS.~BT\\NewOS\\Windows\\WinSxS\\${dir}`;
      w.info('CSI', `${seq} Shim considered [l:${path.length * 2}]'${path}' : got STATUS_SUCCESS`);
    }
    const seq = (++ctx.csiSeq).toString(16).padStart(8, '0');
    w.info('CSI', `${seq} Creating NT transaction (seq ${ctx.csiSeq}), objectname [6]"(null)"`);
    w.info(
      'CSI',
      `${seq} Created NT transaction (seq ${ctx.csiSeq}) result 0x00000000, handle @0x${(0x100 + rng.int(0x700)).toString(16)}`,
    );
    if (!reported && ctx.csiSeq > 400) {
      // A lookup of a value the old OS never had: logged as an error in every successful upgrade.
      reported = true;
      w.error(
        'CSI',
        `${seq} (F) STATUS_OBJECT_NAME_NOT_FOUND #${rng.range(10, 99)}# from Windows::Rtl::SystemImplementation::DirectRegistryProvider::SysQueryValueKey(flags = 0, key = ${rng.range(500, 900)} ('\\REGISTRY\\MACHINE\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion'), vn = [l:25 ml:26]'CurrentMajorVersionNumber', kvic = 2, kvi = 2, disp = 0)[gle=0xd0000034]`,
      );
    }
    if (rng.chance(0.02)) w.gap(rng.range(20, 90));
  });
  w.info('CBS', 'CbsCoreFinalize: ExecutionEngineFinalize');
  w.info('CBS', 'Execution Engine Finalize');
}

function migHostStart(ctx: Ctx): void {
  const { w } = ctx;
  const hostGuid = `{${ctx.rng.guid().toUpperCase()}}`;
  w.info(
    'MIG',
    `MigHost started with command line: ${hostGuid} /InitDoneEvent:MigHost.${hostGuid}.Event /ParentPID:${ctx.pid.setupHost} /LogDir:"C:\\$WINDOWS.~BT\\Sources\\Panther"`,
  );
  for (const p of MIG_PLUGINS) {
    const clsid = ctx.pluginClsids.get(p) ?? '';
    w.info(
      'MIG',
      `MigHost: CMigPluginSurrogate::LoadDllServer in progress: BinaryPath=[C:\\$WINDOWS.~BT\\Sources\\ReplacementManifests\\${p}], CLSID=[${clsid}], ApartmentThreaded=[1]`,
    );
    w.info(
      'MIG',
      `MigHost: CMigPluginSurrogate::LoadAndRegisterServerInThreadContext: Successfully loaded and registered server(C:\\$WINDOWS.~BT\\Sources\\ReplacementManifests\\${p})`,
    );
    w.info('MIG', 'MigHost: CMigPluginSurrogate::COMGenericThreadingHostThreadProc: LoadAndRegisterServerInThreadContext() succeeded.');
    w.info('MIG', 'MigHost: CMigPluginSurrogate::LoadDllServer finished: Result=[0x0].');
  }
  w.info('MIG', 'MigHost: CMigPluginSurrogate::Init: Successfully initialized surrogate.');
}

function migEpisode(ctx: Ctx, scope: 'Data' | 'Apply'): void {
  const { w, rng } = ctx;
  const r = rng.int(10);
  if (r < 5) {
    const [comp, disp] = rng.pick(MANIFESTS);
    w.info(
      'MIG',
      `    Processing manifest: ${comp}, Culture=neutral, Version=${HOST_OS.version}.1, PublicKeyToken=31bf3856ad364e35, ProcessorArchitecture=amd64, versionScope=NonSxS`,
    );
    w.info('MIG', `    CSIAgent: Display ID of this manifest is ${disp}`);
    if (scope === 'Data' && rng.chance(0.6)) w.info('MIG', '    CSIAgent: filtered out because it does not match the scope Data');
    else if (rng.chance(0.3)) w.info('MIG', '    CSIAgent: filtered out because architecture wow64');
    else w.info('MIG', '    Critical attribute for component turned ON, explicit request from attribute');
  } else if (r < 7) {
    const dir = rng.pick(START_MENU);
    w.info('MIG', `    OSDB pattern skipped because enumeration root is not present: ${dir}[${rng.pick(START_MENU_FILES)}]`);
  } else if (r < 9) {
    const svc = rng.pick(ctx.services);
    const verb = scope === 'Data' ? 'gathered' : 'queued for apply';
    w.info('MIG', `    Rule [HKLM\\SYSTEM\\CurrentControlSet\\Services\\${svc}\\* [*]] ${verb} ${rng.range(3, 40)} objects`);
  } else {
    w.info('MIG', '    OfflineFilter: Pattern optimization turned OFF due to explicit OfflineApply request');
    w.info('MIG', '    OfflineFilter: OfflineApply turned OFF, explicit request from attribute');
  }
}

function migGather(ctx: Ctx, target: number): void {
  const { w, rng } = ctx;
  w.pace = 0.12;
  migHostStart(ctx);
  w.info('MIG', 'Mig::CMXEMigrationEngine::Gather: Starting gather, scope: EVERYTHING');
  for (const u of ctx.users) {
    w.info('MIG', `    Gathering user profile ${ctx.userSid}-${1000 + ctx.users.indexOf(u)} (C:\\Users\\${u})`);
  }
  // Seen in successful upgrades too: a duplicate plug-in declaration is reported and skipped.
  w.add(
    levelWithId('Error', '0x080831'),
    'MIG',
    'CSIAgent: Invalid xml format: FormatException: Component with display name: Plugin/{52776FBF-403C-49cc-b7cb-dd557f36096A} already loaded __cdecl Mig::CMXEMigrationXml::CMXEMigrationXml(class Mig::CPlatform *,class UnBCL::String *,class UnBCL::XmlDocument *,class UnBCL::String *,class UnBCL::String *)',
  );
  fillUntil(ctx, target, () => migEpisode(ctx, 'Data'));
  w.info('MIG', `Mig::CMXEMigrationEngine::Gather: Gather completed, ${rng.range(80000, 160000)} objects`);
  w.info('MIG', 'MigHost: Exiting process.');
}

function dismDrivers(ctx: Ctx, target: number, newOs: boolean): void {
  const { w, rng } = ctx;
  w.pace = 0.08;
  const root = newOs ? 'C:\\$WINDOWS.~BT\\NewOS\\Windows' : 'C:\\Windows';
  const api = `API: PID=${ctx.pid.dismApi} TID=${at(ctx.tids, 0)}`;
  const worker = `API: PID=${ctx.pid.dismApi} TID=${at(ctx.tids, 1)}`;
  const mgr = `DISM Driver Manager: PID=${ctx.pid.dismHost} TID=${at(ctx.tids, 2)}`;
  w.info('DISM', `${api} DismApi.dll: <----- Starting DismApi.dll session -----> - DismInitializeInternal`);
  w.info(
    'DISM',
    `${api} DismApi.dll: Host machine information: OS Version=${HOST_OS.version}, Running architecture=amd64, Number of processors=${rng.pick([4, 6, 8])} - DismInitializeInternal`,
  );
  let i = 0;
  fillUntil(ctx, target, () => {
    const d = at(ctx.drivers, i++ % ctx.drivers.length);
    const path = `${root}\\System32\\DriverStore\\FileRepository\\${d.dir}\\${d.inf}`;
    w.info('DISM', `${api} Input parameters: Session: 2, DriverPath: ${path}, Flags: 11, ProcessorArchitecture: 9 - DismAddDriverInternal`);
    w.info('DISM', `${api} Initialized default cancel event - DismAddDriverInternal`);
    w.info('DISM', `${api} Successfully enqueued command object - CCommandThread::EnqueueCommandObject`);
    w.info('DISM', `${worker} ExecuteLoop: CommandQueue signaled - CCommandThread::ExecuteLoop`);
    w.info('DISM', `${worker} Successfully dequeued command object - CCommandThread::DequeueCommandObject`);
    w.warn(
      'DISM',
      `${mgr} Failed to find the INF package in the driver store (hr = 0x80070490); falling back to INF file name - CDriverPackage::InitPublishedInfName`,
    );
    w.info('DISM', `${mgr} Signature status of driver ${path} is: SIGNED - CDriverPackage::InitSignatureStatus`);
    w.info('DISM', `${worker} Found flag telling us to force unsigned driver. - CAddDriverCommandObject::CheckClientAddDriverScenarios`);
    if (newOs)
      w.info(
        'DISM',
        `${worker} Found Flag telling us hardlink the driver payload. Install flags: 0x00000003 - CAddDriverCommandObject::AddDriverPackage`,
      );
    w.info('DISM', `${mgr} Successfully proccessed driver package '${path}'. - CDriverPackage::InstallEx`);
  });
  w.info('DISM', `${api} DismApi.dll: <----- Ending DismApi.dll session -----> - DismShutdownInternal`);
}

function sysprepSpecialize(ctx: Ctx, target: number, windir: string): void {
  const { w, rng } = ctx;
  w.pace = 0.1;
  w.info('SYSPRP', 'SysprepSession::CreateXPathForSelection: Sysprep mode in registry is upgrade');
  w.info('SYSPRP', 'SysprepSession::CreateXPathForSelection: Processor architecture in registry is amd64');
  w.info('SYSPRP', `SysprepSession::Execute: Beginning action execution from ${windir}\\System32\\Sysprep\\ActionFiles\\Specialize.xml`);
  w.info('SYSPRP', 'After sorting, components will be excuted in the following order:');
  SYSPREP_ORDER.forEach((n, i) => w.info('SYSPRP', `  Name: ${n}, Order: ${(i + 1) * 128}`));
  let i = 0;
  fillUntil(ctx, target, () => {
    // Modules run in a fixed order, once per component pass.
    const [dll, method] = at(SYSPREP_MODULES, i % SYSPREP_MODULES.length);
    if (i % SYSPREP_MODULES.length === 0) {
      const comp = at(SYSPREP_ORDER, Math.floor(i / SYSPREP_MODULES.length) % SYSPREP_ORDER.length);
      w.info('SYSPRP', `SysprepSession::Execute: Processing component ${comp}`);
    }
    i++;
    w.info('PANTHR', 'InitializeModule: Initializing ExecQueue->csLock;');
    w.info('SYSPRP', `ActionPlatform::LaunchModule: Executing method '${method}' from ${windir}\\System32\\${dll}`);
    if (rng.chance(0.3)) w.info('SYSPRP', `${method}: Offline mode detected, using ${windir} as the target.`);
    w.info(
      'SYSPRP',
      `ActionPlatform::LaunchModule: Successfully executed '${method}' from ${windir}\\System32\\${dll} without reboot required`,
    );
    w.info('PANTHR', 'DeleteCriticalSection for pExecQueue->csLock;');
  });
  w.info('SYSPRP', 'SysprepSession::Execute: Completed the action execution');
}

function finalizeBoot(ctx: Ctx): void {
  const { w } = ctx;
  w.info('IBSLIB', 'ModifyBootEntriesBCD:Setup phase is [1]');
  w.info('IBSLIB', 'BFSVC: Copying boot files from C:\\$WINDOWS.~BT\\NewOS\\Windows\\Boot\\EFI to G:\\EFI\\Microsoft\\Boot');
  w.info('IBSLIB', 'BFSVC: Boot files for language zh-CN are present.');
  w.info('IBSLIB', 'BFSVC: SetNamedSecurityInfo failed! Error code = 0x5');
  w.info('IBSLIB', 'BFSVC: Cleaning up debugger settings.');
  w.info('IBSLIB', 'TrackVolume: Successfully marked that [$Setup_SystemVolume$] is on drive [G:].');
  w.info('IBSLIB', 'TrackVolume: Successfully marked that [$Setup_BTFolderVolume$] is on drive [C:].');
}

function generateNoise(ctx: Ctx): void {
  const { w, spec } = ctx;
  const N = spec.noiseLines;
  const mark = (f: number): number => Math.round(f * N);
  setupHostInit(ctx);
  oneSettings(ctx);
  compatScan(ctx, mark(0.13));
  progress(ctx, 8);

  w.pace = 0.1;
  w.info('SP', `SetupPlatform: Host machine ${spec.hostname}, target build ${TARGET_OS.build}`);
  w.info('SP', 'OPERATIONTRACK ExecuteOperations: Start execution phase Downlevel');
  for (const name of ['Start Monitoring Driver', 'Copy extra migration XMLs']) spOp(ctx, name, () => w.info('SP', '    Nothing to do.'));
  spOp(ctx, 'Apply image D:\\sources\\install.wim (index 1) to C:\\$WINDOWS.~BT\\NewOS', () => cbsApply(ctx, mark(0.28)));
  progress(ctx, 24);
  spOp(ctx, 'Enable telemetry for C:\\$WINDOWS.~BT\\NewOS', () => w.info('SP', '    Telemetry enabled for the new OS.'));
  spOp(ctx, 'Gather data, scope: EVERYTHING', () => migGather(ctx, mark(0.48)));
  progress(ctx, 38);
  for (const phase of ['presysprep', 'postsysprep', 'preoobe', 'postoobe', 'onerror']) {
    spOp(ctx, `Set boot command %SYSTEMDRIVE%\\$WINDOWS.~BT\\Sources\\SetupPlatform.exe /${phase}`, () =>
      w.info('SP', `    Boot command for /${phase} written to the new system hive.`),
    );
  }
  spOp(ctx, 'Save config data', () =>
    w.info('SP', '    Saved SetupPlatform configuration to C:\\$WINDOWS.~BT\\Sources\\Panther\\setupinfo'),
  );
  spOp(ctx, 'Save boot entries for the old OS', () => w.info('IBSLIB', 'ModifyBootEntriesBCD:Boot entries for the old OS saved.'));
  w.info('SP', 'ExecuteOperations: Successfully processed execution phase Downlevel');

  w.info('SP', 'OPERATIONTRACK ExecuteOperations: Start execution phase Pre-Finalize');
  spOp(ctx, 'Process Drivers for Migration', () => dismDrivers(ctx, mark(0.58), false));
  spOp(ctx, 'Apply Drivers', () => dismDrivers(ctx, mark(0.7), true));
  progress(ctx, 52);
  spOp(ctx, 'Migrate framework (Full)', () => {
    migHostStart(ctx);
    fillUntil(ctx, mark(0.76), () => migEpisode(ctx, 'Apply'));
  });
  spOp(ctx, 'Run sysprep specialization offline on C:\\$WINDOWS.~BT\\NewOS', () =>
    sysprepSpecialize(ctx, mark(0.84), 'C:\\$WINDOWS.~BT\\NewOS\\Windows'),
  );
  spOp(ctx, 'Offline portion of machine-specific and machine-independent apply operations', () => {
    w.pace = 0.12;
    fillUntil(ctx, mark(0.97), () => migEpisode(ctx, 'Apply'));
  });
  spOp(ctx, 'Prepare the new OS for first boot', () => w.info('SP', '    New OS prepared.'));
  w.info('SP', 'ExecuteOperations: Successfully processed execution phase Pre-Finalize');
  progress(ctx, 68);

  w.info('SP', 'OPERATIONTRACK ExecuteOperations: Start execution phase Finalize');
  spOp(ctx, 'Finalize critical boundary', () => w.info('IBSLIB', 'RollbackReinitialize in progress...'));
  spOp(ctx, 'Untag Sources Folder', () => w.info('SP', '    Sources folder untagged.'));
  // Pad to the requested size with more offline apply activity before the failing operation.
  w.pace = 0.1;
  fillUntil(ctx, N - 12, () => migEpisode(ctx, 'Apply'));
  spOpStart(ctx, 'Update Boot Code');
  finalizeBoot(ctx);
  w.info('IBSLIB', 'UpdateBootCode:Laying down NT Boot code. Drive = C:');
}

/** What precedes the failure in its own operation; still ordinary activity. */
function leadIn(ctx: Ctx): void {
  const { w, spec } = ctx;
  const f = spec.failure;
  w.pace = 0;
  if (f.kind === 'mig-registry') {
    w.info('MIG', 'Mig::CMXEMigrationEngine::Apply: Applying registry objects for services, scope: MachineSpecific');
    for (const svc of ctx.services.slice(0, 4)) {
      w.info('MIG', `    Applied object HKLM\\SYSTEM\\CurrentControlSet\\services\\${svc} [Start]`);
    }
  } else if (f.kind === 'bcd-clone') {
    w.info(
      'IBSLIB',
      'OSRollbackService::CBootFilesRestoreCheckpoint::Finalize: Saving boot files of the current OS to C:\\$WINDOWS.~BT\\Sources\\Rollback',
    );
    w.info('IBSLIB', 'OSRollbackService::CBootFilesRestoreCheckpoint::Finalize: System partition is mounted as G:');
  } else {
    w.info('IBSLIB', 'UpdateBootCode:Successfully laid down NT boot code.');
    spOpEnd(ctx, 'Update Boot Code');
    spOp(ctx, 'Update Boot Sector', () => w.info('IBSLIB', 'UpdateBackupBootCode:Successfully updated back up boot sector.'));
  }
}

// ---------------------------------------------------------------------------------------------
// Failure blocks (verbatim from the seed case, parameterised)

const WIN32_MESSAGES: Record<number, string> = {
  2: '系统找不到指定的文件。',
  3: '系统找不到指定的路径。',
  5: '拒绝访问。',
  32: '另一个程序正在使用此文件，进程无法访问。',
  87: '参数错误。',
  1314: '客户端没有所需的特权。',
};

function hex8(n: number): string {
  return `0x${(n >>> 0).toString(16).padStart(8, '0')}`;
}

function hresultFromWin32(n: number): string {
  return `0x${((0x80070000 | (n & 0xffff)) >>> 0).toString(16).toUpperCase()}`;
}

function normaliseGuid(g: string): string {
  return g.replace(/[{}]/g, '').toLowerCase();
}

function setupPlatformTail(w: LogWriter, hr: string): void {
  w.error('SP', `Operation failed: Update Boot Code. Error: ${hr}[gle=0x000000b7]`, 0);
  w.info('MOUPG', `Finalize: Registering Setup Platform error: [${hr}]`, 0);
  w.error('SP', `ExecuteOperations: Failed execution phase Finalize. Error: ${hr}`, 0);
  w.info('MOUPG', 'MoSetupPlatform: SetupPlatform::INewSystem::Finalize returned: [0x4]', 0);
  w.error('MOUPG', 'MoSetupPlatform: Finalize reported failure!', 0);
  w.error('MOUPG', `MoSetupPlatform: Using action error code: [${hr}]`, 0);
  w.error('MOUPG', `CDlpActionFinalize::ExecuteSetupPlatformFinalize(895): Result = ${hr}`, 0);
  w.error('MOUPG', `CDlpActionFinalize::ExecuteRoutine(392): Result = ${hr}`, 0);
  w.info('MOUPG', 'Finalize: Delaying telemetry upload until exit action.', 0);
  w.info('SP', 'SetupPlatform opted-in to sqm', 0);
}

function failureBlock(w: LogWriter, f: Failure): void {
  if (f.kind === 'mig-registry') {
    const obj = `HKLM\\SYSTEM\\CurrentControlSet\\services\\${f.service} [${f.value}]`;
    const msg = WIN32_MESSAGES[f.error] ?? '未指定的错误';
    w.warn(
      'MIG',
      `Could not create object ${obj}. Exception class Mig::SideAwareWin32Exception: Error while creating registry value ${obj}: ${msg} [${hex8(f.error)}] void __cdecl Mig::CRegistryDataStore::Create(class Mig::CDataUnit *)`,
      1,
    );
    w.info('MIG', `Error ${f.error} during apply of object ${obj}. Will ask shell application for resolution.`, 0);
    w.error('SP', `Error WRITE, ${hex8(f.error)} while gathering/applying object: Registry, ${obj}. Will return 0`, 0);
    w.error('MIG', `Error ${f.error} while applying object ${obj}. Shell application requested abort`, 0);
    w.add(levelWithId('Error', '0x08097b'), 'MIG', `Abandoning apply due to error for object: ${obj}`, 0);
    setupPlatformTail(w, hresultFromWin32(f.error));
  } else if (f.kind === 'bcd-clone') {
    const guid = `{${normaliseGuid(f.guid)}}`;
    const st = 'Status: c0000024[gle=0x00000002]';
    w.info('IBSLIB', 'OSRollbackService::CBootFilesRestoreCheckpoint::Finalize: G:\\bootmgr does not exist, skip.', 1);
    w.error('IBSLIB', `BCD: Failed to get registry value. ${st}`, 2);
    w.error('IBSLIB', `BCD: Failed to get registry value. ${st}`, 0);
    w.error('IBSLIB', `BCD: BcdCopyObjectEx: Failed to enumerate source elements. Target: ${guid} Flags: 0x4 ${st}`, 0);
    w.error('IBSLIB', `BCD: Failed to clone store. ${st}`, 0);
    w.error(
      'IBSLIB',
      `BCD: BcdExportStore: Failed clone BCD to \\??\\C:\\$WINDOWS.~BT\\Sources\\Rollback\\EFI\\Microsoft\\Boot\\BCD. ${st}`,
      0,
    );
    w.error(
      'IBSLIB',
      'OSRollbackService::CBootFilesRestoreCheckpoint::Finalize: Failed to backup BCD database from "G:\\EFI\\Microsoft\\Boot\\BCD" to "C:\\$WINDOWS.~BT\\Sources\\Rollback\\EFI\\Microsoft\\Boot\\BCD".[gle=0x00000006]',
      0,
    );
    w.add(
      levelWithId('Error', '0x064199'),
      'IBSLIB',
      'SetCheckpoint(WinPEBootFilesRestoreCheckpoint): threw exception.: class RollbackException: RollbackException: Error(6), CSystemVolumeSelectionCheckpoint: Failed to backup BCD database. void __cdecl OSRollbackService::CBootFilesRestoreCheckpoint::Finalize(const unsigned short *,struct OSRollbackService::ICheckpointParameters *)[gle=0x00000006]',
      0,
    );
    w.add(
      levelWithId('Error', '0x06418a'),
      'IBSLIB',
      'RollbackSetCheckpoint(WinPEBootFilesRestoreCheckpoint): threw exception.: class RollbackException: RollbackException: Error(6), CSystemVolumeSelectionCheckpoint: Failed to backup BCD database. void __cdecl OSRollbackService::CCheckpointImpressario::SetCheckpoint(const unsigned short *,struct OSRollbackService::ICheckpointParameters *)',
      0,
    );
    w.cont(
      'void __cdecl OSRollbackService::CBootFilesRestoreCheckpoint::Finalize(const unsigned short *,struct OSRollbackService::ICheckpointParameters *)[gle=0x00000006]',
    );
    w.add(
      levelWithId('Error', '0x06414e'),
      'IBSLIB',
      'RollbackSetCheckpoint(WinPEBootFilesRestoreCheckpoint) failed. Disabling Rollback.[gle=0x00000006]',
      0,
    );
    w.error('SP', 'Error setting OS Switch Rollback checkpoint[gle=0x00000006]', 0);
    setupPlatformTail(w, '0x80004005');
  }
}

/** Setup backs out of the down-level phase; ordinary activity, no failure anchors. */
function rollback(ctx: Ctx): void {
  const { w, rng } = ctx;
  w.pace = 0.15;
  w.info('MOUPG', 'SetupHost: Rollback of the down-level phase requested, restoring the previous OS state.', rng.range(2, 6));
  w.info('SP', 'CSetupPlatform::Rollback: Rollback started');
  w.info('SP', 'Rollback: Restoring service start types');
  for (const svc of ctx.services) {
    const type = rng.pick([2, 2, 3, 3, 4]);
    w.info('SP', `    Restoring start type for service ${svc}`);
    w.info('SP', `    Service backup start type is ${type}`);
    w.info('SP', `    Successfully restored start type ${type}`);
    w.info('SP', '    Service start type restored');
  }
  for (const cp of ['SystemVolumeSelectionCheckpoint', 'RegistryRestoreCheckpoint', 'FileRestoreCheckpoint', 'ServiceRestoreCheckpoint']) {
    w.info('IBSLIB', `OSRollbackService::COSRollbackService::Rollback: Processing checkpoint [${cp}]`);
    for (const f of ROLLBACK_FILES) {
      if (rng.chance(0.5)) w.info('IBSLIB', `OSRollbackService::CFileRestoreCheckpoint::Rollback: Restored [${f}]`);
    }
    w.info('IBSLIB', `OSRollbackService::COSRollbackService::Rollback: Checkpoint [${cp}] rolled back`);
  }
  for (const d of ctx.drivers) {
    w.info(
      'SP',
      `    Rollback: Removing staged driver package C:\\$WINDOWS.~BT\\NewOS\\Windows\\System32\\DriverStore\\FileRepository\\${d.dir}`,
    );
    w.info('SP', `    Rollback: Driver package ${d.inf} removed from the new OS image`);
  }
  for (const dir of ctx.csiDirs.values()) {
    w.info('SP', `    Rollback: Deleting C:\\$WINDOWS.~BT\\NewOS\\Windows\\WinSxS\\${dir}`);
    w.info('CSI', `${(++ctx.csiSeq).toString(16).padStart(8, '0')} Rollback: component directory released`);
  }
  w.info('SP', 'Rollback: Removing C:\\$WINDOWS.~BT\\NewOS', 4);
  w.info('SP', `DISKSPACETRACK: ${ctx.diskFree + 3221225472}`);
  w.info('PANTHR', 'DeleteCriticalSection for pExecQueue->csLock;');
  w.info('MOUPG', 'SetupHost: Rollback of the down-level phase completed, cleaning up.');
  w.info('SP', 'Rollback: Downlevel rollback completed, the previous operating system is restored.');
}

// ---------------------------------------------------------------------------------------------
// Assembly

interface Generated {
  spec: NormalSpec;
  ctx: Ctx;
  lines: string[];
  failureLines: number[];
  start: number;
  failAt: number;
  end: number;
}

function containsAnchor(body: string): string | undefined {
  return [...FAILURE_ANCHORS, ...PRIVATE_ANCHORS].find((a) => body.includes(a));
}

function generate(input: BundleSpec): Generated {
  const spec = normalise(input);
  const rng = new Rng(spec.seed);
  const pre = new LogWriter(rng);
  const ctx = makeCtx(spec, rng, pre);
  generateNoise(ctx);
  leadIn(ctx);

  const fail = new LogWriter(rng);
  failureBlock(fail, spec.failure);

  const post = new LogWriter(rng);
  ctx.w = post;
  rollback(ctx);

  for (const e of [...pre.entries, ...post.entries]) {
    const hit = containsAnchor(e.body);
    if (hit) throw new Error(`noise contains failure anchor "${hit}": ${e.body}`);
  }

  const entries = [...pre.entries, ...fail.entries, ...post.entries];
  const anchorIndex = pre.entries.length;
  const rel: number[] = [];
  let t = 0;
  for (const e of entries) {
    t += e.dt;
    rel.push(t);
  }
  const failAt = parseDay(spec.date) + clockSeconds(FAILURE_CLOCK[spec.failure.kind]);
  const shift = failAt - at(rel, anchorIndex);
  const lines = entries.map((e, i) => (e.bare ? e.body : `${fmtStamp(at(rel, i) + shift)}, ${e.body}`));
  const failureLines = fail.entries.map((_, i) => anchorIndex + i + 1);
  return { spec, ctx, lines, failureLines, start: at(rel, 0) + shift, failAt, end: at(rel, rel.length - 1) + shift };
}

const CRLF = '\r\n';

function joinLines(lines: readonly string[]): string {
  return lines.join(CRLF) + CRLF;
}

export function buildSetupactLog(spec: BundleSpec): { text: string; failureLines: number[] } {
  const g = generate(spec);
  return { text: joinLines(g.lines), failureLines: g.failureLines };
}

/** setuperr.log keeps the Error records of setupact.log (with their continuation lines). */
function setuperrLines(lines: readonly string[]): string[] {
  const out: string[] = [];
  let inError = false;
  for (const line of lines) {
    const m = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}, (\S+)/.exec(line);
    if (m) inError = m[1] === 'Error' || m[1] === 'Fatal';
    if (inError) out.push(line);
  }
  return out;
}

function setupdiagFrom(g: Generated): string {
  const { spec, ctx } = g;
  const f = spec.failure;
  const rng = new Rng(spec.seed ^ 0x5e7d1a6);
  const m = ctx.machine;
  const out: string[] = [];
  if (f.kind === 'mig-registry') out.push('Matching Profile found: FindMigGatherApplyFailure - A9964E6C-A2A8-45FF-B6B5-25E0BD71428E');
  if (f.kind === 'bcd-clone') out.push('Matching Profile found: FindSPFatalError - A4028172-1B09-48F8-AD3B-86CDD7D55852');
  const endTime = f.kind === 'none' ? g.end : g.failAt + (f.kind === 'bcd-clone' ? 2 : 0);
  const info: [string, string][] = [
    ['Machine Name', spec.hostname],
    ['Manufacturer', m.manufacturer],
    ['Model', m.model],
    ['HostOSArchitecture', 'x64'],
    ['FirmwareType', 'UEFI'],
    ['BiosReleaseDate', `${m.biosDate}000000.000000+000`],
    ['BiosVendor', m.biosVendor],
    ['BiosVersion', m.biosVersion],
    ['HostOSVersion', HOST_OS.version],
    ['HostOSBuildString', HOST_OS.build],
    ['TargetOSBuildString', TARGET_OS.build],
    ['HostOSLanguageId', '2052'],
    ['HostOSEdition', HOST_OS.edition],
    ['RegisteredAV', 'Windows Defender,终端安全管理系统,'],
    ['FilterDrivers', 'WdFilter,FileCrypt,wcifs,luafv,Wof,FileInfo,'],
    ['UpgradeStartTime', fmtZhDateTime(g.start)],
    ['UpgradeEndTime', fmtZhDateTime(endTime)],
    ['UpgradeElapsedTime', fmtElapsed(endTime - g.start)],
    ['ReportId', rng.guid()],
  ];
  out.push('System Information:');
  for (const [k, v] of info) out.push(`\t${k} = ${v}`);
  out.push('');
  if (f.kind === 'mig-registry') {
    out.push('Error: SetupDiag reports Migration Gather/Apply operation failure.');
    out.push('Last Phase: Finalize');
    out.push('Last Operation: Update Boot Code');
    out.push('Migration Operation: apply');
    out.push(`Migration Obejct: HKLM\\SYSTEM\\CurrentControlSet\\services\\${f.service} [${f.value}]`);
    out.push(`Error:  ${f.error}`);
    out.push(
      'Recommend you check the migration object above (permissions, owning application, filter drivers), remove or repair it, and try the update again.',
    );
    out.push('Refer to https://docs.microsoft.com/windows/deployment/upgrade/upgrade-error-codes for error information.');
  } else if (f.kind === 'bcd-clone') {
    out.push('Error: SetupDiag reports Fatal Error.');
    out.push('Last Setup Phase = Finalize');
    out.push('Last Setup Operation: Update Boot Code');
    out.push('Error: 0x80004005');
    out.push('Recommend you open a technical support ticket with Microsoft.');
    out.push('Refer to https://docs.microsoft.com/windows/deployment/upgrade/upgrade-error-codes for error information.');
  } else {
    out.push('SetupDiag was unable to match to any known failure signatures.');
  }
  return joinLines(out);
}

export function buildSetupdiagLog(spec: BundleSpec): string {
  return setupdiagFrom(generate(spec));
}

export function encodeLog(text: string, encoding: LogEncoding): Buffer {
  switch (encoding) {
    case 'gbk':
      return iconv.encode(text, 'gbk');
    case 'utf8bom':
      return iconv.encode(text, 'utf8', { addBOM: true });
    case 'utf16le':
      return iconv.encode(text, 'utf16le', { addBOM: true });
  }
}

/** C:\Windows\Panther\setupact.log of the current OS: its own install, a year before. */
function windowsPantherLog(g: Generated): { text: string; end: number } {
  const rng = new Rng(g.spec.seed ^ 0x1a2b3c);
  const w = new LogWriter(rng);
  const ctx: Ctx = { ...g.ctx, rng, w };
  w.info('PANTHR', 'CBlackboard::Open C:\\Windows\\Panther\\SetupInfo', 0);
  w.info('IBS', 'InstallWindows:Setup architecture is [x64]');
  w.info('IBS', 'Callback_BootEnvironmentDetect: Detected boot environment: EFI');
  w.info('IBS', `Callback_ComputerName_Write: Computer name set to [${g.spec.hostname}]`);
  sysprepSpecialize(ctx, 140, 'C:\\Windows');
  w.info('IBS', 'Callback_Unattend_InitiatePass: No unattend file was present, skipping unattend settings passes');
  w.info('IBS', 'Successfully logged OS information onto event viewer system channel');
  w.info('PANTHR', 'DeleteCriticalSection for pExecQueue->csLock;');
  const installed = parseDay(g.spec.date) - 410 * 86400 + clockSeconds('10:14:22');
  let t = installed;
  const lines = w.entries.map((e) => {
    t += e.dt;
    return `${fmtStamp(t)}, ${e.body}`;
  });
  return { text: joinLines(lines), end: t };
}

function systemInfoText(g: Generated): string {
  const { spec, ctx } = g;
  const m = ctx.machine;
  const rng = new Rng(spec.seed ^ 0x51f0);
  const installed = parseDay(spec.date) - 410 * 86400 + clockSeconds('10:14:22');
  const booted = parseDay(spec.date) + clockSeconds('08:31:05');
  const d = (t: number): string => {
    const x = new Date(t * 1000);
    return `${x.getUTCFullYear()}/${x.getUTCMonth() + 1}/${x.getUTCDate()}, ${x.getUTCHours()}:${pad2(x.getUTCMinutes())}:${pad2(x.getUTCSeconds())}`;
  };
  const bios = `${m.biosDate.slice(0, 4)}/${Number(m.biosDate.slice(4, 6))}/${Number(m.biosDate.slice(6, 8))}`;
  const ip = `10.${rng.range(1, 60)}.${rng.range(1, 30)}.${rng.range(20, 240)}`;
  const avail = Math.round(m.ramMb * 0.6);
  const lines = [
    '',
    `主机名:           ${spec.hostname}`,
    `OS 名称:          ${HOST_OS.productZh}`,
    `OS 版本:          ${HOST_OS.version} 暂缺 Build ${HOST_OS.version.split('.')[2] ?? ''}`,
    'OS 制造商:        Microsoft Corporation',
    'OS 配置:          成员工作站',
    'OS 构件类型:      Multiprocessor Free',
    '注册的所有人:     user',
    '注册的组织:       ',
    `产品 ID:          00330-${rng.range(10000, 99999)}-${rng.range(10000, 99999)}-AA${rng.range(100, 999)}`,
    `初始安装日期:     ${d(installed)}`,
    `系统启动时间:     ${d(booted)}`,
    `系统制造商:       ${m.manufacturer}`,
    `系统型号:         ${m.model}`,
    '系统类型:         x64-based PC',
    '处理器:           安装了 1 个处理器。',
    `                  [01]: ${m.cpu}`,
    `BIOS 版本:        ${m.biosVendor} ${m.biosVersion}, ${bios}`,
    'Windows 目录:     C:\\Windows',
    '系统目录:         C:\\Windows\\system32',
    '启动设备:         \\Device\\HarddiskVolume1',
    '系统区域设置:     zh-cn;中文(中国)',
    '输入法区域设置:   zh-cn;中文(中国)',
    '时区:             (UTC+08:00) 北京，重庆，香港特别行政区，乌鲁木齐',
    `物理内存总量:     ${m.ramMb.toLocaleString('en-US')} MB`,
    `可用的物理内存:   ${avail.toLocaleString('en-US')} MB`,
    `虚拟内存: 最大值: ${(m.ramMb + 1280).toLocaleString('en-US')} MB`,
    `虚拟内存: 可用:   ${(avail + 560).toLocaleString('en-US')} MB`,
    `虚拟内存: 使用中: ${(m.ramMb + 1280 - avail - 560).toLocaleString('en-US')} MB`,
    '页面文件位置:     C:\\pagefile.sys',
    '域:               WORKGROUP',
    `登录服务器:       \\\\${spec.hostname}`,
    '修补程序:         安装了 3 个修补程序。',
    '                  [01]: KB4589208',
    '                  [02]: KB5005112',
    '                  [03]: KB5011503',
    '网卡:             安装了 1 个 NIC。',
    '                  [01]: Intel(R) Ethernet Connection (7) I219-LM',
    '                      连接名:      以太网',
    '                      启用 DHCP:   否',
    '                      IP 地址',
    `                        [01]: ${ip}`,
    'Hyper-V 要求:     虚拟机监视器模式扩展: 是',
    '                  固件中已启用虚拟化: 是',
    '                  二级地址转换: 是',
    '                  数据执行保护可用: 是',
  ];
  return joinLines(lines);
}

/** yazl normalises '\' to '/', but the customer's collector writes '\'; restore it in place. */
function useBackslashNames(zip: Buffer): Buffer {
  let eocd = -1;
  for (let i = zip.length - 22; i >= 0; i--) {
    if (zip.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error('zip: end of central directory not found');
  const count = zip.readUInt16LE(eocd + 10);
  let p = zip.readUInt32LE(eocd + 16);
  const swap = (start: number, len: number): void => {
    for (let i = start; i < start + len; i++) if (zip[i] === 0x2f) zip[i] = 0x5c;
  };
  for (let n = 0; n < count; n++) {
    if (zip.readUInt32LE(p) !== 0x02014b50) throw new Error('zip: bad central directory entry');
    const nameLen = zip.readUInt16LE(p + 28);
    const extraLen = zip.readUInt16LE(p + 30);
    const commentLen = zip.readUInt16LE(p + 32);
    const local = zip.readUInt32LE(p + 42);
    swap(p + 46, nameLen);
    if (zip.readUInt32LE(local) !== 0x04034b50) throw new Error('zip: bad local header');
    swap(local + 30, zip.readUInt16LE(local + 26));
    p += 46 + nameLen + extraLen + commentLen;
  }
  return zip;
}

export const BUNDLE_ENTRIES = {
  setupdiag: 'UpgradeLog\\setupdiag.log',
  setupact: 'UpgradeLog\\C_Win_BT_Panther\\setupact.log',
  setuperr: 'UpgradeLog\\C_Win_BT_Panther\\setuperr.log',
  windowsSetupact: 'UpgradeLog\\C_Windows_Panther\\setupact.log',
  systeminfo: 'SystemInfo\\systeminfo.txt',
} as const;

export async function buildBundleZip(spec: BundleSpec): Promise<Buffer> {
  const g = generate(spec);
  const enc = g.spec.encoding;
  // The collector runs after the failed attempt: SetupDiag right away, collection a bit later.
  const diagAt = g.end + 95;
  const collectedAt = g.end + 20 * 60;
  const panther = windowsPantherLog(g);
  const files: [string, Buffer, number][] = [
    [BUNDLE_ENTRIES.setupdiag, encodeLog(setupdiagFrom(g), 'utf8bom'), diagAt],
    [BUNDLE_ENTRIES.setupact, encodeLog(joinLines(g.lines), enc), g.end],
    [BUNDLE_ENTRIES.setuperr, encodeLog(joinLines(setuperrLines(g.lines)), enc), g.end],
    [BUNDLE_ENTRIES.windowsSetupact, encodeLog(panther.text, enc), panther.end],
    [BUNDLE_ENTRIES.systeminfo, encodeLog(systemInfoText(g), 'gbk'), collectedAt],
  ];
  const zip = new ZipFile();
  for (const [name, data, mtime] of files) {
    zip.addBuffer(data, name, { mtime: zipDate(mtime), forceDosTimestamp: true, mode: 0o100644, compressionLevel: 9 });
  }
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    zip.outputStream.on('data', (c: Buffer) => chunks.push(c));
    zip.outputStream.on('end', () => resolve(Buffer.concat(chunks)));
    zip.outputStream.on('error', reject);
  });
  zip.end();
  return useBackslashNames(await done);
}
