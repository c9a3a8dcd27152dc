import { caseMessage, caseView } from '../../../test/helpers/case-view';
import type { CaseMessage, CaseView } from './case-view';
import { caseStage, closureAlreadySent, statusChange } from './case-state';

const msg = (id: string, at: string, over: Partial<CaseMessage> = {}) =>
  caseMessage({ messageId: id, arrivedAt: at, text: '您好：\n又失败了。', ...over });
const closure = (id: string, at: string, over: Partial<CaseMessage> = {}) =>
  msg(id, at, { direction: 'outbound', text: '案例总结：\n问题总结：\n删除出错的BCD配置信息后，升级系统成功。', ...over });
const view = (status: 'open' | 'closed', messages: CaseMessage[], statusCommands: CaseView['statusCommands'] = []) =>
  caseView(messages, { status, statusCommands });

test('a sent closure closes an open case: casebot’s draft (even edited to drop 问题总结) or the engineer’s own mail', () => {
  expect(statusChange(view('open', [msg('a', '2022-04-25T00:00:00Z'), closure('b', '2022-04-27T00:00:00Z')]))).toMatchObject({
    status: 'closed',
    by: 'closure-sent',
    messageId: 'b',
  });
  const edited = closure('b', '2022-04-27T00:00:00Z', { text: '已解决，归档。', sentDraftKind: 'closure' });
  expect(statusChange(view('open', [msg('a', '2022-04-25T00:00:00Z'), edited]))).toMatchObject({ status: 'closed' });
  // A diagnosis going out is not a closure.
  expect(
    statusChange(
      view('open', [
        msg('a', '2022-04-25T00:00:00Z'),
        msg('d', '2022-04-26T00:00:00Z', { direction: 'outbound', sentDraftKind: 'diagnosis', text: '请您…' }),
      ]),
    ),
  ).toBeNull();
});

test('the customer writing after the closure reopens it; a thank-you or a success report does not', () => {
  const closed = [msg('a', '2022-04-25T00:00:00Z'), closure('b', '2022-04-27T00:00:00Z')];
  expect(statusChange(view('closed', [...closed, msg('c', '2022-04-28T00:00:00Z')]))).toMatchObject({
    status: 'open',
    by: 'customer-wrote',
    messageId: 'c',
  });
  expect(
    statusChange(view('closed', [...closed, msg('c', '2022-04-28T00:00:00Z', { text: '好的，谢谢！\n\n赵明\n中国工商银行天津分行' })])),
  ).toBeNull();
  expect(statusChange(view('closed', [...closed, msg('c', '2022-04-28T00:00:00Z', { successReport: true })]))).toBeNull();
  expect(statusChange(view('closed', [...closed, msg('c', '2022-04-28T00:00:00Z', { machine: 'auto-reply' })]))).toBeNull();
});

test('order is the mail’s arrival, not the order casebot read the folders in', () => {
  // Sent is read before INBOX: a customer mail from before the closure must not reopen it.
  const messages = [msg('a', '2022-04-25T00:00:00Z'), msg('c', '2022-04-26T00:00:00Z'), closure('b', '2022-04-27T00:00:00Z')];
  expect(statusChange(view('open', messages))).toMatchObject({ status: 'closed' });
  expect(statusChange(view('closed', messages))).toBeNull();
});

test('an engineer’s /reopen after the closure, or /close before any closure, holds', () => {
  const closed = [msg('a', '2022-04-25T00:00:00Z'), closure('b', '2022-04-27T00:00:00Z')];
  expect(statusChange(view('open', closed, [{ name: 'reopen', at: '2022-04-28T00:00:00Z' }]))).toBeNull();
  expect(statusChange(view('closed', [msg('a', '2022-04-25T00:00:00Z')], [{ name: 'close', at: '2022-04-26T00:00:00Z' }]))).toBeNull();
  // …until the customer writes again.
  expect(
    statusChange(
      view('closed', [msg('a', '2022-04-25T00:00:00Z'), msg('c', '2022-04-27T00:00:00Z')], [{ name: 'close', at: '2022-04-26T00:00:00Z' }]),
    ),
  ).toMatchObject({ status: 'open' });
});

test('closureAlreadySent: only a closure after the customer last wrote', () => {
  expect(closureAlreadySent(view('closed', [msg('a', '2022-04-25T00:00:00Z'), closure('b', '2022-04-27T00:00:00Z')]))?.messageId).toBe('b');
  expect(closureAlreadySent(view('open', [closure('b', '2022-04-27T00:00:00Z'), msg('c', '2022-04-28T00:00:00Z')]))).toBeNull();
});

test('caseStage: whose turn it is', () => {
  expect(caseStage('closed', '2022-04-28', null)).toBe('closed');
  expect(caseStage('open', '2022-04-28', '2022-04-27')).toBe('needs-reply');
  expect(caseStage('open', '2022-04-26', '2022-04-27')).toBe('waiting');
});
