import iconv from 'iconv-lite';
import { decodeText, detectEncoding } from './decode-text';

const text = '2022-04-15 15:00:13, Error  MIG  拒绝访问。 [0x00000005]\r\n';

test.each([
  ['utf8', Buffer.from(text, 'utf8'), 'utf8'],
  ['utf8 with BOM', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')]), 'utf8bom'],
  ['utf16le with BOM', Buffer.concat([Buffer.from([0xff, 0xfe]), iconv.encode(text, 'utf16le')]), 'utf16le'],
  ['utf16be with BOM', Buffer.concat([Buffer.from([0xfe, 0xff]), iconv.encode(text, 'utf16be')]), 'utf16be'],
  ['utf16le without BOM', iconv.encode(text.repeat(4), 'utf16le'), 'utf16le'],
  ['gbk', iconv.encode(text, 'gbk'), 'gb18030'],
])('%s', (_name, bytes, encoding) => {
  expect(detectEncoding(bytes)).toBe(encoding);
  expect(decodeText(bytes)).toContain('拒绝访问。');
});

test('a UTF-8 BOM over GBK bytes is read as GBK', () => {
  const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), iconv.encode(text, 'gbk')]);
  expect(detectEncoding(bytes)).toBe('gb18030');
  expect(decodeText(bytes)).toContain('拒绝访问。');
});

test('a UTF-8 file cut in the middle of a character is still UTF-8', () => {
  const bytes = Buffer.from('升级日志', 'utf8').subarray(0, 10);
  expect(detectEncoding(bytes)).toBe('utf8');
});
