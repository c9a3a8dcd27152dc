// What casebot writes to engineers (never to customers): command results, case status, and
// refusals. Plain Chinese text; the app addresses, marks and paces it.

import type { StoreEventView } from './event-view';
import { helpText } from './parse-commands';

export interface Notice {
  subject: string;
  text: string;
}

export function commandResultNotice(caseId: string | null, results: string[], errors: string[]): Notice {
  const lines = [...results.map((r) => `✔ ${r}`), ...errors.map((e) => `✖ ${e}`)];
  if (errors.length > 0) lines.push('', '可用的命令：', helpText());
  return { subject: `[casebot] ${caseId ?? '命令'}：${errors.length > 0 ? '命令有误' : '已执行'}`, text: lines.join('\n') + '\n' };
}

export function statusNotice(caseId: string, subject: string, status: string, timeline: StoreEventView[], findings: string[]): Notice {
  const lines = [`案例 ${caseId}（${status === 'closed' ? '已结案' : '处理中'}）`, subject, '', '时间线：'];
  for (const e of timeline) lines.push(`${e.at.replace('T', ' ').slice(0, 19)}  ${e.label}`);
  lines.push('', '最新分析：', ...(findings.length > 0 ? findings.map((f) => `- ${f}`) : ['（无）']));
  return { subject: `[casebot] ${caseId} 状态`, text: lines.join('\n') + '\n' };
}

export function refusalNotice(caseId: string | null, from: string, subject: string, reason: string): Notice {
  return {
    subject: `[casebot] ${caseId ?? ''} 拒绝执行命令`.replace('  ', ' '),
    text:
      [
        `收到来自 ${from} 的命令邮件，未执行：${reason}。`,
        `邮件主题：${subject}`,
        '',
        '只有配置中的工程师、且邮件通过发件人验证时，命令才会执行。',
      ].join('\n') + '\n',
  };
}

/** The customer wrote after the case was closed: it is open again and a draft waits. */
export function reopenedNotice(caseId: string, subject: string, from: string): Notice {
  return {
    subject: `[casebot] ${caseId} 客户在结案后来信，案例已重新打开`,
    text:
      [
        `案例 ${caseId} 已结案，但 ${from} 又来信了，案例已重新打开。`,
        `邮件主题：${subject}`,
        '',
        '下一封回复的草稿已放入草稿箱；如不需要处理，回复本案例并在主题中写 /close。',
      ].join('\n') + '\n',
  };
}
