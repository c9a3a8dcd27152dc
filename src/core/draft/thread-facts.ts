// What a draft takes from the thread itself, as an engineer would read it: the problem in the
// customer's own terms (or as the engineer already defined it), what was advised before and
// what the customer did about it, which commands really went out, and whether the customer
// agreed to close. Pure: the case's mail in, plain facts out.

import type { CaseMessage, CaseView } from '../case/case-view';
import { ownText } from '../mail/strip-quote';
import type { Analysis } from '../types';

/** 问题定义 as the engineer sent it (`问题定义:` then the line), latest first. */
function sentDefinition(view: CaseView): string | null {
  for (const m of [...view.messages].reverse()) {
    if (m.direction !== 'outbound') continue;
    const found = /问题定义\s*[:：]\s*\n?\s*([^\n]+)/.exec(ownText(m.text));
    if (found && !found[1]!.includes('请工程师')) return found[1]!.trim();
  }
  return null;
}

const SYMPTOM = /升级|报错|失败|错误|回退|回滚|蓝屏|无法|0x[0-9a-f]{4,}/i;
/** A sentence about the logs sent (附件是…收集的日志), not about the failure. */
const ABOUT_LOGS = /附件|附上|见附|日志/;
/** A clause that asks for help rather than says what happened. */
const REQUEST = /^(?:请|麻烦|烦请|帮忙|协助|希望|谢谢|辛苦)/;
const CODE = /0x[0-9a-f]{8}(?:\s*-\s*0x[0-9a-f]{5,8})?/i;

/**
 * 问题定义: once an engineer has sent one, that text; otherwise one sentence from the opening
 * mail (who, which machines, what symptom or code) followed by what is asked, in the engineer's
 * form `…，需要分析报错原因。`; the subject's title when the mail says nothing usable.
 */
export function problemDefinition(view: CaseView): string {
  const sent = sentDefinition(view);
  if (sent) return sent;
  const opening = view.messages.find((m) => m.direction === 'inbound' && m.machine === null);
  const words = opening ? customerSentences(opening) : [];
  const symptom = words.find((s) => SYMPTOM.test(s) && !ABOUT_LOGS.test(s));
  if (!symptom) return titleDefinition(view.title);
  const clauses = symptom
    .split(/[，,；;]/)
    .map((c) => c.trim())
    .filter((c) => c !== '' && !REQUEST.test(c));
  // The customer's 我局/我行 is 贵局/贵行 in our reply.
  let core = clauses
    .join('，')
    .replace(/我们/g, '贵方')
    .replace(/我(?=[局行司院厅处部所委])/g, '贵')
    .replace(/我单位/g, '贵单位');
  const code = words.join('').match(CODE)?.[0];
  if (code && !core.includes(code.slice(0, 10))) core += `（错误代码 ${code}）`;
  return core ? `${core}，需要分析报错原因。` : titleDefinition(view.title);
}

/** 问题定义 from the subject's title: `天津分行升级报错回退分析` → `天津分行升级报错回退，需要分析报错原因。` */
export function titleDefinition(title: string): string {
  const core = title.replace(/[，,。.\s]*(?:原因)?分析$/, '').trim() || title;
  return `${core}，需要分析报错原因。`;
}

/** The customer's own sentences: greeting, quote and signature left out. */
export function customerSentences(mail: CaseMessage): string[] {
  const text = ownText(mail.text);
  // The signature starts at the first blank line after the body (name, department, phone).
  const body = text.split(/\n\s*\n/)[0] ?? text;
  return body
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !/^[^\n]{0,12}(?:您好|你好)[：:，,！!]?$/.test(l))
    .join('')
    .split(/(?<=[。！？!?])/)
    .map((s) => s.replace(/[。！？!?]+$/, '').trim())
    .filter((s) => s !== '');
}

export interface FollowUp {
  /** What was advised before, as a deed: 卸载 DSPClient（或备份并删除 Ensec64 注册表项）. */
  advised: string;
  /** The customer's own sentence about what they did, when they wrote one. */
  customerSaid: string | null;
  /** The new logs show the same failure as the one advised on. */
  same: boolean;
}

/** A customer's sentence that reports acting on the advice. */
const DID_SOMETHING = /卸载|删除|按照|处理|修改|执行|操作|移除|导出|导入|重装|更新/;
/** A clause that says how it went. */
const RESULT = /失败|报错|回退|成功|仍然|还是|依然/;

/**
 * When a diagnosis already went out and the customer answered with new logs: what was advised,
 * what they said they did, and whether the failure changed. Null for a first diagnosis.
 */
export function followUp(view: CaseView, answered: CaseMessage, analysis: Analysis | null): FollowUp | null {
  const before = view.messages.slice(0, view.messages.indexOf(answered));
  const lastAdvice = [...before].reverse().find((m) => m.direction === 'outbound' && m.sentDraftKind === 'diagnosis');
  if (!lastAdvice) return null;
  const advisedOn = [...before.slice(0, before.indexOf(lastAdvice))]
    .reverse()
    .find((m) => (m.analysis?.findings.length ?? 0) > 0)?.analysis;
  const previous = advisedOn?.findings[0];
  if (!previous) return null;
  const current = analysis?.findings[0];
  return {
    advised: adviceDeed(previous.resolution) ?? previous.title,
    customerSaid: whatTheyDid(customerSentences(answered)),
    same: current !== undefined && current.rule === previous.rule && JSON.stringify(current.facts) === JSON.stringify(previous.facts),
  };
}

/** The clauses of the customer's sentence about acting on the advice, without the requests around them. */
function whatTheyDid(sentences: string[]): string | null {
  const sentence = sentences.find((s) => DID_SOMETHING.test(s));
  if (!sentence) return null;
  const clauses = sentence
    .split(/[，,；;]/)
    .map((c) => c.trim())
    .filter((c) => !REQUEST.test(c) && (DID_SOMETHING.test(c) || RESULT.test(c)));
  return clauses.length > 0 ? clauses.join('，') : null;
}

/** `卸载 X 后，升级系统成功。` → `卸载 X`: the fix as something done. */
function adviceDeed(resolution: string): string | null {
  const m = /^(.+?)后[，,]?\s*升级(?:系统)?成功[。.]?$/.exec(resolution.trim());
  return m ? m[1]!.trim() : null;
}

/** The commands of a fix that really went to the customer, in the fix's order. */
export function sentCommands(view: CaseView, commands: string[]): string[] {
  const squash = (s: string) => s.replace(/\s+/g, ' ').trim();
  const sent = view.messages.filter((m) => m.direction === 'outbound').map((m) => squash(ownText(m.text)));
  return commands.filter((c) => sent.some((t) => t.includes(squash(c))));
}

const CONSENT = /(?:可以|同意|能够|能)(?:结案|关闭|归档|关单|结单)|(?:结案|关闭|归档)吧/;
const REFUSAL = /(?:不|暂不|先不|别)(?:要|用|能|可以)?(?:结案|关闭|归档)/;

/** The customer agreed in writing to close the case, or an engineer noted that they did. */
export function consentToClose(view: CaseView): boolean {
  const said = (text: string) => CONSENT.test(text.replace(/\s+/g, '')) && !REFUSAL.test(text.replace(/\s+/g, ''));
  return view.notes.some(said) || view.messages.some((m) => m.direction === 'inbound' && m.machine === null && said(ownText(m.text)));
}
