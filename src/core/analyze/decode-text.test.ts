import iconv from 'iconv-lite';
import { byteLayout, decodeText, LineDecoder } from './decode-text';
import { scanLog } from './log-scanner';

const text = '2022-04-15 15:00:13, Error  MIG  拒绝访问。 [0x00000005]\r\n';
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

test.each([
  ['utf8', Buffer.from(text, 'utf8'), 'bytes'],
  ['utf8 with BOM', Buffer.concat([BOM, Buffer.from(text, 'utf8')]), 'bytes'],
  ['utf16le with BOM', Buffer.concat([Buffer.from([0xff, 0xfe]), iconv.encode(text, 'utf16le')]), 'utf16le'],
  ['utf16be with BOM', Buffer.concat([Buffer.from([0xfe, 0xff]), iconv.encode(text, 'utf16be')]), 'utf16be'],
  ['utf16le without BOM', iconv.encode(text.repeat(4), 'utf16le'), 'utf16le'],
  ['gbk', iconv.encode(text, 'gbk'), 'bytes'],
  ['a UTF-8 BOM over GBK bytes', Buffer.concat([BOM, iconv.encode(text, 'gbk')]), 'bytes'],
])('%s', (_name, bytes, layout) => {
  expect(byteLayout(bytes)).toBe(layout);
  expect(decodeText(bytes).split(text).join('')).toBe('');
});

test('each line by its own bytes: UTF-8, GBK and a stray Windows-1252 byte in one text', () => {
  const bytes = Buffer.concat([
    Buffer.from('升级日志\n', 'utf8'),
    iconv.encode('拒绝访问。\n', 'gbk'),
    iconv.encode('Microsoft® Windows® Operating System\n', 'windows-1252'),
  ]);
  const decoder = new LineDecoder();
  expect(decoder.decode(bytes)).toBe('升级日志\n拒绝访问。\nMicrosoft® Windows® Operating System\n');
  expect(decoder.label()).toBe('utf8+gb18030+windows-1252');
});

test('the ANSI code page is configurable', () => {
  const decoder = new LineDecoder('shift_jis');
  expect(decoder.decode(iconv.encode('アクセスが拒否されました。', 'shift_jis'))).toBe('アクセスが拒否されました。');
  expect(decoder.label()).toBe('shift_jis');
});

describe('a streamed log, as the field writes it', () => {
  const anchor = { literal: 'Error', before: 0, after: 0 };

  test('GBK with its first Chinese line after 100,000 ASCII lines quotes the Chinese exactly', async () => {
    const ascii = '2022-04-15 15:00:13, Info                  SP     Operation completed successfully: Apply image\r\n'.repeat(100_000);
    const mig =
      '2022-04-15 15:10:13, Error                 MIG    Error 5 while applying object HKLM\\SYSTEM\\CurrentControlSet\\Services\\Ensec64[DisplayName]. Shell application requested abort![gle=0x00000005] 拒绝访问。\r\n';
    const bytes = iconv.encode(ascii + mig, 'gbk');
    // Chunks as an inflate stream hands them out.
    const chunks = Array.from({ length: Math.ceil(bytes.length / 65536) }, (_, i) => bytes.subarray(i * 65536, (i + 1) * 65536));
    const scan = await scanLog(chunks, [anchor]);
    const line = scan.hits.get('Error')![0]!;
    expect(line).toBe(100_001);
    expect(scan.line(line)).toBe(mig.trimEnd());
    expect(scan.encoding).toBe('gb18030');
  });

  test('a UTF-8 BOM log with stray Windows-1252 bytes stays UTF-8, and the stray line reads as written', async () => {
    const bytes = Buffer.concat([
      BOM,
      Buffer.from('2023-01-01 10:00:00, Info  CONX   用户配置文件 C:\\Users\\张伟\r\n', 'utf8'),
      iconv.encode('2023-01-01 10:00:01, Error  CONX   Microsoft® Windows® Operating System\r\n', 'windows-1252'),
      Buffer.from('2023-01-01 10:00:02, Error  MIG    拒绝访问。\r\n', 'utf8'),
    ]);
    const scan = await scanLog([bytes], [anchor]);
    expect(scan.hits.get('Error')!.map((n) => scan.line(n))).toEqual([
      '2023-01-01 10:00:01, Error  CONX   Microsoft® Windows® Operating System',
      '2023-01-01 10:00:02, Error  MIG    拒绝访问。',
    ]);
    expect(scan.encoding).toBe('utf8bom+windows-1252');
  });

  test('an anchor in Chinese is found whether the line is UTF-8 or GBK', async () => {
    const bytes = Buffer.concat([iconv.encode('a 拒绝访问。\n', 'gbk'), Buffer.from('b 拒绝访问。\n', 'utf8')]);
    const scan = await scanLog([bytes], [{ literal: '拒绝访问', before: 0, after: 0 }]);
    expect(scan.hits.get('拒绝访问')!.map((n) => scan.line(n))).toEqual(['a 拒绝访问。', 'b 拒绝访问。']);
  });
});
