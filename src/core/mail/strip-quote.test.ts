import { ownText } from './strip-quote';

test('cuts at a Chinese client quote header', () => {
  const body = '升级成功了。\r\n\r\n-----原始邮件-----\r\n发件人: Wei Liang\r\n主题: 回复: 升级失败\r\n请您删除BCD项';
  expect(ownText(body)).toBe('升级成功了。');
});

test('cuts at a From: block and drops > lines', () => {
  expect(ownText('ok\n> old line\nmore\n发件人：a@b.c\nold')).toBe('ok\nmore');
});
