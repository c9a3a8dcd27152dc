// One line of a case's timeline, in Chinese, from an event of the store.

import type { CaseEvent, EventDetails, EventType } from '../types';

export interface StoreEventView {
  at: string;
  label: string;
}

// One label per EventType, reading that type's detail: a new kind of event does not compile without its label.
const LABELS: { [T in EventType]: (d: EventDetails[T], actor: string) => string } = {
  'case-opened': () => '案例建立',
  'mail-received': (d, actor) =>
    `收到客户邮件（${actor}）${Array.isArray(d.bundles) && d.bundles.length > 0 ? '，附日志' : ''}${d.successReport ? '，客户确认成功' : ''}`,
  'reply-seen': (_d, actor) => `工程师回复（${actor}）`,
  'draft-created': (d) => `生成草稿：${String(d.kind)}`,
  'draft-stored': () => '草稿已放入草稿箱',
  'draft-sent': (d) => `草稿已发送${typeof d.similarity === 'number' ? `（与草稿相似度 ${d.similarity}）` : ''}`,
  'draft-retired': () => '草稿已过时，已撤下',
  'draft-replaced': () => '草稿被新草稿替换',
  'draft-removed': () => '草稿已从草稿箱移除',
  'draft-discarded': (_d, actor) => `草稿被丢弃（${actor}）`,
  'draft-deleted': () => '草稿已从草稿箱删除，没有发送',
  command: (d, actor) => `命令 /${String(d.name)}${d.arg ? ` ${String(d.arg)}` : ''}（${actor}）`,
  'command-refused': (d, actor) => `拒绝命令（${actor}）：${String(d.reason)}`,
  note: (d, actor) => `备注（${actor}）：${String(d.text)}`,
  'send-queued': () => '邮件已进入发送队列',
  'mail-sent': (d) => `邮件已发出（${String(d.to ?? '')}）`,
  'send-failed': (d) => `发送失败：${String(d.error)}`,
  'case-closed': (d) => (d.by === 'closure-sent' ? '结案邮件已发出，案例已结案' : '案例已结案'),
  'case-reopened': (d) => (d.by === 'customer-wrote' ? '客户在结案后来信，案例重新打开' : '案例重新打开'),
  'case-snoozed': (d) => `暂停提醒至 ${String(d.until).slice(0, 10)}`,
  'memory-lookup': (d) =>
    `查找相似历史案例：${Array.isArray(d.similar) && d.similar.length > 0 ? (d.similar as { caseId: string }[]).map((s) => s.caseId).join('、') : '无'}`,
  'fixed-by': (d, actor) => `记录解决问题的修复：${String(d.finding)}（${actor}）`,
  'memory-feedback': (d, actor) => `相似案例 ${String(d.about)} ${d.useful ? '有用' : '没用'}（${actor}）`,
  'draft-failed': (d) => `草稿无法生成：${String(d.reason)}`,
  'mail-quarantined': (d) => `邮件被隔离：${String(d.reason)}`,
  'quarantine-replayed': () => '隔离的邮件已重新处理',
  'mail-unmatched': (d, actor) => `邮件不属于任何案例（${actor}）：${String(d.subject ?? '')}`,
  'own-mail-ignored': () => 'casebot 自己发给工程师的邮件，已忽略',
  'duplicate-message-id': (d) => `收到与已有邮件相同 Message-ID 的另一封邮件（${String(d.original ?? '')}），已单独保存`,
  'machine-mail': (d) => `自动回复或群发邮件（${String(d.kind ?? '')}），不需回复`,
  bounce: (d) => `退信：${String(d.failedRecipients ?? '收件人')} 未收到邮件`,
  'mailbox-fault': (d) => `邮箱连接故障：${String(d.error ?? '')}`,
  'draft-refused': (d) => `草稿未能存入草稿箱（服务器答复：${String(d.reason ?? '')}），会重试`,
  'command-ignored': (d, actor) =>
    `忽略了 ${actor} 的命令（${d.reason === 'not an engineer' ? '发件人不是配置中的工程师' : String(d.reason ?? '')}）`,
  'engineer-mail-capped': (d) => `今天发给 ${String(d.to ?? '')} 的通知已达上限，未再发送`,
  'digest-queued': (d) => `每日摘要已进入发送队列（${String(d.recipient ?? '')}）`,
};

export function eventLabel(e: Pick<CaseEvent, 'type' | 'detail' | 'actor'>): string {
  // Events of an older casebot may carry a type this one no longer writes.
  const label = (LABELS as Record<string, ((d: unknown, actor: string) => string) | undefined>)[e.type];
  return label ? label(e.detail, e.actor) : e.type;
}

/** Events that stand for a mail of the thread: the timeline is ordered by these mails' own Date. */
const MAIL_EVENTS = new Set(['mail-received', 'reply-seen']);

/**
 * A case's events in the order the conversation happened, not the order casebot read the mail
 * (on a first import Sent is read before INBOX, so replies would come before the questions).
 * Each mail's event goes by the mail's own Date; what casebot did about a mail stays with it.
 */
export function conversationOrder<E extends { type: string; messageId: string | null; at: string }>(
  events: E[],
  mailDates: Map<string, string>,
): E[] {
  const groups: { at: string; events: E[] }[] = [];
  let current: { at: string; events: E[] } | null = null;
  for (const e of events) {
    const date = e.messageId !== null && MAIL_EVENTS.has(e.type) ? mailDates.get(e.messageId) : undefined;
    if (date !== undefined || current === null) {
      current = { at: date ?? '', events: [] };
      groups.push(current);
    }
    current.events.push(e);
  }
  // Stable: mails of the same second keep the order they were read in.
  return groups.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0)).flatMap((g) => g.events);
}
