import { helpText, parseCommands } from './parse-commands';

test('the seed closure command with its summary', () => {
  expect(parseCommands('回复: [案例号: CAS-06079-G5K3W1 ] /close 删除出错的BCD配置信息后，升级系统成功')).toEqual({
    commands: [{ name: 'close', arg: '删除出错的BCD配置信息后，升级系统成功' }],
    errors: [],
  });
});

test('several commands run in order; full-width slash and colon', () => {
  expect(parseCommands('[案例号：CAS-06079-G5K3W1］／note 已电话联系 /snooze 3 /send').commands).toEqual([
    { name: 'note', arg: '已电话联系' },
    { name: 'snooze', arg: '3', days: 3 },
    { name: 'send', arg: '' },
  ]);
});

test('a URL or a path is not a command', () => {
  expect(parseCommands('回复: 上传到 https://cduc.cmgos.com/upload 了 C:/Windows/Panther').commands).toEqual([]);
});

test('unknown commands and bad arguments are explained', () => {
  const r = parseCommands('/clsoe /snooze soon /note /send now');
  expect(r.commands).toEqual([]);
  expect(r.errors).toEqual([
    '不认识的命令 /clsoe',
    '/snooze 需要 1 到 365 之间的天数，收到“soon”',
    '/note 需要内容（给案例加内部备注：/note 内容）',
    '/send 不需要参数，收到“now”',
  ]);
});

test('help lists every command', () => {
  expect(helpText()).toContain('/close');
  expect(helpText().split('\n')).toHaveLength(15);
});

test('case-memory commands: /fixed-by and /useful take an argument, one of them a case id', () => {
  expect(parseCommands('回复: [案例号: CAS-07001-B8D2X4 ] /fixed-by bcd-clone-failure /useful CAS-06079-G5K3W1').commands).toEqual([
    { name: 'fixed-by', arg: 'bcd-clone-failure' },
    { name: 'useful', arg: 'CAS-06079-G5K3W1' },
  ]);
  expect(parseCommands('/notuseful').errors).toEqual(['/notuseful 需要内容（内部参考中的相似案例没用：/notuseful CAS-06079-G5K3W1）']);
});
