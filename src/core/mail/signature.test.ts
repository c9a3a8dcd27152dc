import { withoutSignature } from './signature';

test('drops a signature of short lines: name, unit, telephone', () => {
  const body =
    '您好，\n\n升级到30%左右自动重启，然后回退到原来的系统。\n麻烦帮忙分析下原因。\n\n韩立军\n青山区卫生健康委员会 信息科\n电话：0731-8452xxxx  手机：139xxxx6270';
  expect(withoutSignature(body)).toBe('您好，\n\n升级到30%左右自动重启，然后回退到原来的系统。\n麻烦帮忙分析下原因。');
});

test('cuts at the "-- " separator, keeping a host list above it', () => {
  const body =
    '全部返回 0x80004005，没有重启过。\n\n失败主机：\nJHZQ-OPS-W041\nJHZQ-OPS-W057\n\n-- \n许文斌 | 金禾证券 运维部\nTel 021-6xxx-xxxx';
  expect(withoutSignature(body)).toBe('全部返回 0x80004005，没有重启过。\n\n失败主机：\nJHZQ-OPS-W041\nJHZQ-OPS-W057');
});

test('keeps a last line that carries a code or a figure, and a text of short lines only', () => {
  expect(withoutSignature('升级失败了。\n错误代码 0xC1900101-0x20017\n张伟')).toBe('升级失败了。\n错误代码 0xC1900101-0x20017');
  expect(withoutSignature('升级失败了。\n卡在百分之三十几')).toBe('升级失败了。\n卡在百分之三十几');
  expect(withoutSignature('升级又失败了\n蒋涛')).toBe('升级又失败了\n蒋涛');
});
