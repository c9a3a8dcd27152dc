// The daily digest as a view model: which cases need the engineer today, which wait on the
// customer and for how long, which drafts await approval, what closed, what went wrong on the
// way in. Pure: the store's rows, the clock and the thresholds in; data for the templates out.

import { caseTitle } from '../case/case-id';
import { caseStage } from '../case/case-state';
import { draftOutcomes, draftStats, type OutcomeRow } from '../stats/draft-outcomes';
import type { DescribeProblem } from '../draft/templates';
import { problemCounts, storedProblems, type Problem } from '../intake/problem';
import type { DigestCaseRow, DigestData, DigestEventRow } from './digest-data';

export interface DigestSettings {
  /** Waiting on the customer longer than this: time to remind them. */
  reminderDays: number;
  /** No mail either way for this long: the case has gone stale. */
  staleDays: number;
  /** Times are shown in this zone (default UTC). */
  timezone?: string;
}

export interface CaseLine {
  caseId: string;
  subject: string;
  customer: string;
  engineer: string;
  threadMessageId: string;
  finding: string;
  /** Days since the mail that matters for the section (the customer's, ours, the draft). */
  days: number;
  since: string;
  draft: string;
}

export interface EventLine {
  at: string;
  caseId: string;
  what: string;
}

/** Open cases showing the same failure signature this week: maybe one cause behind them all. */
export interface SignatureLine {
  title: string;
  count: number;
  caseIds: string;
}

/** A failure signature and the open cases that showed it (from case memory). */
export interface SharedSignatureRow {
  title: string;
  caseIds: string[];
}

export interface AdoptionLine {
  kind: string;
  made: number;
  asDrafted: number;
  edited: number;
  replaced: number;
  discarded: number;
  waiting: number;
  /** Bar lengths in percent of the busiest kind's drafts. */
  widths: { asDrafted: number; edited: number; discarded: number; rest: number };
}

export interface Bar {
  label: string;
  count: number;
  /** Bar length in percent of the longest. */
  width: number;
}

export interface DigestView {
  date: string;
  scope: string;
  counts: {
    open: number;
    needsReply: number;
    draftsAwaiting: number;
    waiting: number;
    overdue: number;
    stale: number;
    closed: number;
    unmatched: number;
    problems: number;
  };
  needsReply: CaseLine[];
  draftsAwaiting: CaseLine[];
  waiting: CaseLine[];
  overdue: CaseLine[];
  stale: CaseLine[];
  closed: CaseLine[];
  unmatched: EventLine[];
  problems: EventLine[];
  /** The logs that could not be used, counted by problem code (ENCRYPTED 2, ZIP_BOMB 1). */
  problemKinds: { code: string; count: number }[];
  /** 草稿采纳情况: the last week's drafts per kind, what became of them. */
  adoption: AdoptionLine[];
  signatures: SignatureLine[];
  ageChart: Bar[];
  categoryChart: Bar[];
}

const DAY = 86400000;
const AGE_BUCKETS: [string, number][] = [
  ['1天内', 1],
  ['1-3天', 3],
  ['3-7天', 7],
  ['7-14天', 14],
  ['14天以上', Infinity],
];
const CATEGORY_NAMES: Record<string, string> = {
  compat: '兼容性阻止',
  disk: '磁盘空间',
  driver: '驱动程序',
  migration: '数据迁移',
  boot: '启动配置',
  rollback: '回退',
  crash: '崩溃',
  image: '系统映像',
  servicing: '组件服务',
  'setup-platform': '安装程序',
  profile: '用户配置文件',
  sysprep: '系统准备',
  'language-edition': '语言/版本',
  outcome: '结果',
};

export function buildDigest(
  data: DigestData,
  now: Date,
  settings: DigestSettings,
  scope: string,
  describe: DescribeProblem,
  shared: SharedSignatureRow[] = [],
): DigestView {
  const open = data.cases.filter((c) => c.status === 'open');
  // Only the signatures that touch a case of this digest (an engineer's own, or the team's).
  const inScope = new Set(open.map((c) => c.caseId));
  const signatures = shared
    .filter((s) => s.caseIds.some((id) => inScope.has(id)))
    .map((s) => ({ title: s.title, count: s.caseIds.length, caseIds: s.caseIds.join('、') }));
  const snoozed = (c: DigestCaseRow) => c.snoozedUntil !== null && c.snoozedUntil > now.toISOString();
  const days = (iso: string | null) => (iso ? Math.max(0, Math.floor((now.getTime() - Date.parse(iso)) / DAY)) : 0);
  const line = (c: DigestCaseRow, at: string | null): CaseLine => ({
    caseId: c.caseId,
    subject: caseTitle(c.subject),
    customer: c.customer ?? '',
    engineer: c.engineer,
    threadMessageId: c.threadMessageId ?? '',
    finding: c.topFinding ?? '（尚无分析结果）',
    days: days(at),
    since: (at ?? '').slice(0, 10),
    draft: c.draftKind
      ? `${DRAFT_NAMES[c.draftKind] ?? c.draftKind}，已等待 ${Math.floor((now.getTime() - Date.parse(c.draftCreatedAt!)) / 3600000)} 小时${c.draftUnfinished ? '，有待工程师填写的内容' : ''}`
      : '',
  });
  const customerLast = (c: DigestCaseRow) => caseStage(c.status, c.lastInboundAt, c.lastOutboundAt) === 'needs-reply';
  const lastActivity = (c: DigestCaseRow) =>
    [c.lastInboundAt, c.lastOutboundAt, c.startedAt]
      .filter((x): x is string => x !== null)
      .sort()
      .pop() ?? null;
  const byAge = (a: CaseLine, b: CaseLine) => b.days - a.days;

  const needsReply = open
    .filter(customerLast)
    .map((c) => line(c, c.lastInboundAt))
    .sort(byAge);
  const draftsAwaiting = open
    .filter((c) => c.draftKind !== null)
    .map((c) => line(c, c.draftCreatedAt))
    .sort(byAge);
  const waitingRows = open.filter((c) => !customerLast(c) && c.lastOutboundAt !== null);
  const waiting = waitingRows.map((c) => line(c, c.lastOutboundAt)).sort(byAge);
  const overdue = waitingRows
    .filter((c) => !snoozed(c) && days(c.lastOutboundAt) >= settings.reminderDays)
    .map((c) => line(c, c.lastOutboundAt))
    .sort(byAge);
  const stale = open
    .filter((c) => !snoozed(c) && days(lastActivity(c)) >= settings.staleDays)
    .map((c) => line(c, lastActivity(c)))
    .sort(byAge);
  const closed = data.cases.filter((c) => c.status === 'closed').map((c) => line(c, c.closedAt));
  const local = localTime(settings.timezone ?? 'UTC');
  const unmatched = data.events.filter((e) => e.type === 'mail-unmatched').map((e) => eventLine(e, local, describe));
  const problemEvents = data.events.filter((e) => e.type !== 'mail-unmatched');
  const problems = problemEvents.map((e) => eventLine(e, local, describe));

  const ages = AGE_BUCKETS.map(([label, max], i) => {
    const min = i === 0 ? 0 : AGE_BUCKETS[i - 1]![1];
    return { label, count: open.filter((c) => days(c.startedAt) >= min && days(c.startedAt) < max).length };
  });
  const categories = new Map<string, number>();
  for (const c of open) {
    const label = c.topCategory ? (CATEGORY_NAMES[c.topCategory] ?? c.topCategory) : '未分析';
    categories.set(label, (categories.get(label) ?? 0) + 1);
  }
  const weekAgo = new Date(now.getTime() - 7 * DAY).toISOString();
  return {
    date: now.toISOString().slice(0, 10),
    scope,
    counts: {
      open: open.length,
      needsReply: needsReply.length,
      draftsAwaiting: draftsAwaiting.length,
      waiting: waiting.length,
      overdue: overdue.length,
      stale: stale.length,
      closed: closed.length,
      unmatched: unmatched.length,
      problems: problems.length,
    },
    needsReply,
    draftsAwaiting,
    waiting,
    overdue,
    stale,
    closed,
    unmatched,
    problems,
    problemKinds: problemCounts(problemEvents.flatMap(bundleProblems)),
    adoption: adoptionLines(draftStats(draftOutcomes(data.draftEvents), weekAgo).byKind),
    signatures,
    ageChart: bars(ages),
    categoryChart: bars([...categories].map(([label, count]) => ({ label, count })).sort((a, b) => b.count - a.count)),
  };
}

const DRAFT_NAMES: Record<string, string> = {
  'scope-request': '范围界定',
  diagnosis: '诊断',
  'log-rerequest': '重新收集日志',
  closure: '结案总结',
};

function adoptionLines(rows: OutcomeRow[]): AdoptionLine[] {
  const max = Math.max(1, ...rows.map((r) => r.made));
  const width = (n: number) => Math.round((n / max) * 100);
  return rows.map((r) => ({
    kind: DRAFT_NAMES[r.label] ?? r.label,
    made: r.made,
    asDrafted: r.asDrafted,
    edited: r.edited,
    replaced: r.replaced,
    discarded: r.discarded,
    waiting: r.waiting,
    widths: { asDrafted: width(r.asDrafted), edited: width(r.edited), discarded: width(r.discarded), rest: width(r.replaced + r.waiting) },
  }));
}

/** The problems of the logs a mail brought, as recorded on its `mail-received` event. */
function bundleProblems(e: DigestEventRow): Problem[] {
  // An event of an older casebot may lack the bundles.
  if (e.type !== 'mail-received' || !Array.isArray(e.detail.bundles)) return [];
  return e.detail.bundles.flatMap((b) => storedProblems(b.problems));
}

function eventLine(e: DigestEventRow, local: (iso: string) => string, describe: DescribeProblem): EventLine {
  return { at: local(e.at), caseId: e.caseId ?? '', what: eventText(e, describe) };
}

/** What the engineer reads for an event of the digest's problem and unmatched-mail sections. */
function eventText(e: DigestEventRow, describe: DescribeProblem): string {
  switch (e.type) {
    case 'mail-unmatched':
      return `${e.actor}：${e.detail.subject ?? ''}`;
    case 'mail-quarantined':
      return `邮件已隔离（${e.detail.reason ?? ''}），修复后可用 casebot quarantine replay 重新处理`;
    case 'command-refused':
      return `拒绝了 ${e.actor} 的命令：${e.detail.reason ?? ''}`;
    case 'send-failed':
      return `发送失败：${e.detail.error ?? ''}`;
    case 'mailbox-fault':
      return `邮箱连接故障：${e.detail.error ?? ''}`;
    case 'draft-failed':
      return `草稿无法生成（${e.detail.reason ?? ''}），修复模板后该案例下次来信时会重新起草`;
    case 'draft-refused':
      return `${DRAFT_NAMES[e.detail.kind] ?? e.detail.kind ?? ''}草稿未能存入草稿箱（服务器答复：${e.detail.reason ?? ''}），每轮都会重试`;
    case 'mail-received':
      return `日志无法使用：${bundleProblems(e).map(describe).join('；')}`;
    default:
      return e.type;
  }
}

/** `2026-11-24 20:12` in the team's zone. */
function localTime(timezone: string): (iso: string) => string {
  const format = new Intl.DateTimeFormat('sv-SE', {
    timeZone: timezone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  });
  return (iso) => format.format(new Date(iso));
}

function bars(items: { label: string; count: number }[]): Bar[] {
  const max = Math.max(1, ...items.map((i) => i.count));
  return items.map((i) => ({ ...i, width: Math.round((i.count / max) * 100) }));
}
