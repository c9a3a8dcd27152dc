import { isSuccessReport } from './success-report';

const phrases = ['升级成功', '升级系统成功', '已经成功', '问题已解决'];

test.each([
  ['删除出错的BCD配置后，升级系统成功了，谢谢', true],
  ['按照您的方法执行bcdedit删除后，升级成功了', true],
  ['问题已解决，可以关闭案例', true],
  ['按照方法卸载后仍然失败，重新收集了日志', false],
  ['还是没有升级成功', false],
  ['升级不成功，请帮忙看看', false],
  ['部分终端升级成功，但是这台还是失败', false],
  ['请问升级成功后需要重启吗？日志见附件', false],
])('%s → %s', (text, expected) => {
  expect(isSuccessReport(text, phrases)).toBe(expected);
});
