import { caseTitle, findCaseId, replySubject, stripReplyPrefixes } from './case-id';

describe('findCaseId', () => {
  test.each([
    ['[案例号: CAS-06079-G5K3W1 ] % 工行升级-天津分行升级报错回退分析 % 初次响应 CMIT:0001252', 'CAS-06079-G5K3W1'],
    ['回复: 答复: RE: 转发: [案例号: CAS-06079-G5K3W1 ] %', 'CAS-06079-G5K3W1'],
    ['回复：【案例号：CAS-06079-G5K3W1】 full-width', 'CAS-06079-G5K3W1'],
    ['FW: Fwd: case cas-06079-g5k3w1 lower case', 'CAS-06079-G5K3W1'],
    ['［案例号：ＣＡＳ－０６０７９－Ｇ５Ｋ３Ｗ１］ full-width letters', 'CAS-06079-G5K3W1'],
    ['[案例号: CAS-06079-G5K3W1 ]/close 删除出错的BCD配置信息后', 'CAS-06079-G5K3W1'],
  ])('%s', (subject, id) => expect(findCaseId(subject)).toBe(id));

  test.each([['会议通知'], ['CAS-0607-G5K3W1 too few digits'], ['CAS-06079-G5K3W12 too long']])('no case in %s', (subject) => {
    expect(findCaseId(subject)).toBeNull();
  });
});

test('stripReplyPrefixes removes any stack of prefixes', () => {
  expect(stripReplyPrefixes('回复: 答复：RE: FW: Fwd: 转发: subject')).toBe('subject');
  expect(replySubject('答复： RE: [案例号: CAS-06079-G5K3W1 ] x')).toBe('回复: [案例号: CAS-06079-G5K3W1 ] x');
});

test('caseTitle takes the first %-delimited segment after the tag', () => {
  expect(caseTitle('回复: [案例号: CAS-06079-G5K3W1 ] % 工行升级-天津分行升级报错回退分析 % 初次响应 CMIT:0001252')).toBe(
    '工行升级-天津分行升级报错回退分析',
  );
  expect(caseTitle('[案例号: CAS-06079-G5K3W1 ] 升级失败')).toBe('升级失败');
});
