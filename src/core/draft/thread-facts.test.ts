import { caseMessage, caseView } from '../../../test/helpers/case-view';
import type { CaseMessage } from '../case/case-view';
import { consentToClose, problemDefinition, sentCommands } from './thread-facts';

let n = 0;
const msg = (text: string, over: Partial<CaseMessage> = {}) => caseMessage({ messageId: `m${++n}`, from: null, text, ...over });
const view = (messages: CaseMessage[], notes: string[] = []) => caseView(messages, { notes });

describe('problemDefinition', () => {
  test('one sentence of the opening mail, the request dropped', () => {
    const opening = msg(
      '您好：\n天津分行部分终端升级V2020-L时报错并回退，请协助分析原因。\n目前发现TJ-PC0153等几台终端…\n谢谢！\n\n赵明\n信息科技部',
    );
    expect(problemDefinition(view([opening]))).toBe('天津分行部分终端升级V2020-L时报错并回退，需要分析报错原因。');
  });
  test('the code named elsewhere in the mail is kept; 我行 becomes 贵行', () => {
    const opening = msg('您好，\n我行两台终端升级失败了。\n报错代码是0xC1900101 - 0x20017，麻烦看一下。');
    expect(problemDefinition(view([opening]))).toBe('贵行两台终端升级失败了（错误代码 0xC1900101 - 0x20017），需要分析报错原因。');
  });
  test('once the engineer has sent a definition, that text', () => {
    const sent = msg('赵先生 您好：\n问题定义:\n工行天津分行升级报错，需要分析报错原因。\n问题范围:', { direction: 'outbound' });
    expect(problemDefinition(view([msg('天津分行部分终端升级报错。'), sent]))).toBe('工行天津分行升级报错，需要分析报错原因。');
  });
  test('a mail about the logs only, or saying nothing: the subject’s title', () => {
    expect(problemDefinition(view([msg('您好：\n附件是升级失败的终端收集的日志，请帮忙分析。')]))).toBe(
      '工行升级-天津分行升级报错回退，需要分析报错原因。',
    );
    expect(problemDefinition(view([]))).toBe('工行升级-天津分行升级报错回退，需要分析报错原因。');
  });
});

test('sentCommands: only the commands that went out', () => {
  const sent = msg('请执行：\nbcdedit /delete   {725f2633-5298-49c7-9016-202d172da460}', { direction: 'outbound' });
  expect(sentCommands(view([sent]), ['bcdedit /export C:\\bcd-backup', 'bcdedit /delete {725f2633-5298-49c7-9016-202d172da460}'])).toEqual([
    'bcdedit /delete {725f2633-5298-49c7-9016-202d172da460}',
  ]);
});

test('consentToClose: in the customer’s words or an engineer’s note, never assumed', () => {
  expect(consentToClose(view([msg('升级成功了，谢谢！')]))).toBe(false);
  expect(consentToClose(view([msg('升级成功了，可以结案。')]))).toBe(true);
  expect(consentToClose(view([msg('先不要结案，还有几台没升级。')]))).toBe(false);
  expect(consentToClose(view([msg('升级成功了')], ['电话确认可以结案']))).toBe(true);
  // The engineer's own mail saying 可以结案 is not the customer's consent.
  expect(consentToClose(view([msg('如果没有问题可以结案吗', { direction: 'outbound' })]))).toBe(false);
});
