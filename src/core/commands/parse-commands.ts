// Slash-commands an engineer writes in a subject, e.g.
// `回复: [案例号: CAS-06079-G5K3W1 ] /close 删除出错的BCD配置信息后，升级系统成功`.
// Several commands run in order; each takes the text up to the next command as its argument.

export const COMMANDS = {
  scope: { args: 'none', help: '生成问题范围界定和日志收集请求的草稿' },
  logs: { args: 'optional', help: '生成重新收集日志的草稿，可附原因：/logs 原因' },
  diagnose: { args: 'none', help: '用最新的日志包重新分析并生成诊断草稿' },
  close: { args: 'optional', help: '生成结案总结草稿，可附问题总结：/close 总结' },
  send: { args: 'none', help: '按原样发送待发的草稿' },
  discard: { args: 'none', help: '丢弃待发的草稿' },
  status: { args: 'none', help: '回复本案例的时间线和最新分析结果' },
  note: { args: 'required', help: '给案例加内部备注：/note 内容' },
  snooze: { args: 'days', help: '暂停提醒若干天：/snooze 3' },
  reopen: { args: 'none', help: '重新打开已结案的案例' },
  'fixed-by': {
    args: 'required',
    help: '记录是哪个问题的修复解决了本案例：/fixed-by bcd-clone-failure（也可写编号或服务名，如 /fixed-by 2、/fixed-by Ensec64）',
  },
  useful: { args: 'required', help: '内部参考中的相似案例有用：/useful CAS-06079-G5K3W1' },
  notuseful: { args: 'required', help: '内部参考中的相似案例没用：/notuseful CAS-06079-G5K3W1' },
  digest: { args: 'none', help: '立即把每日摘要发给自己' },
  help: { args: 'none', help: '列出所有命令' },
} as const;

export type CommandName = keyof typeof COMMANDS;

export interface Command {
  name: CommandName;
  /** The text after the command, trimmed; '' when none. */
  arg: string;
  /** For /snooze. */
  days?: number;
}

export interface ParsedCommands {
  commands: Command[];
  /** What was wrong, in Chinese, for the reply to the engineer. */
  errors: string[];
}

/** A slash at the start or after a space or a closing bracket starts a command; a URL's slashes do not. */
const COMMAND = /(?:^|[\s\]】）)］〕])\/([A-Za-z][\w-]*)/g;
const MAX_SNOOZE_DAYS = 365;

export function parseCommands(subject: string): ParsedCommands {
  // Full-width ／, letters and digits typed with a Chinese input method, mapped one to one so
  // offsets still point into the original subject, whose arguments keep their own punctuation.
  const text = subject.replace(/[\uFF0F\uFF10-\uFF19\uFF21-\uFF3A\uFF41-\uFF5A]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0));
  const found = [...text.matchAll(COMMAND)];
  const commands: Command[] = [];
  const errors: string[] = [];
  found.forEach((m, i) => {
    const word = m[1]!.toLowerCase();
    const start = m.index! + m[0].length;
    const end = i + 1 < found.length ? found[i + 1]!.index! : text.length;
    const arg = text
      .slice(start, end)
      .replace(/^[\s:：,，]+|[\s,，。]+$/g, '')
      .trim();
    if (!(word in COMMANDS)) {
      errors.push(`不认识的命令 /${m[1]}`);
      return;
    }
    const name = word as CommandName;
    const spec = COMMANDS[name];
    if (spec.args === 'none' && arg !== '') errors.push(`/${name} 不需要参数，收到“${arg}”`);
    else if (spec.args === 'required' && arg === '') errors.push(`/${name} 需要内容（${spec.help}）`);
    else if (spec.args === 'days') {
      const days = /^\d+$/.test(arg) ? Number(arg) : NaN;
      if (!(days >= 1 && days <= MAX_SNOOZE_DAYS)) errors.push(`/snooze 需要 1 到 ${MAX_SNOOZE_DAYS} 之间的天数，收到“${arg}”`);
      else commands.push({ name, arg, days });
    } else commands.push({ name, arg });
  });
  return { commands, errors };
}

export function helpText(): string {
  return Object.entries(COMMANDS)
    .map(([name, spec]) => `/${name}  ${spec.help}`)
    .join('\n');
}
