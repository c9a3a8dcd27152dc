import { findPortalLinks, isAllowedHost, MAX_PORTAL_LINKS, mentionsUpload } from './portal-links';

const cduc = { hosts: ['cduc.cmgos.com'], pathPatterns: ['^/share/[A-Za-z0-9]+', '^/download/'] };

describe('findPortalLinks', () => {
  test('a link followed by Chinese punctuation', () => {
    const text = '您好，\r\n日志已上传，链接：https://cduc.cmgos.com/share/AbC123，请查收。\r\n谢谢';
    expect(findPortalLinks(text, null, cduc)).toEqual(['https://cduc.cmgos.com/share/AbC123']);
  });

  test.each([
    ['链接https://cduc.cmgos.com/share/AbC123请查收', 'https://cduc.cmgos.com/share/AbC123'],
    ['（https://cduc.cmgos.com/share/AbC123）', 'https://cduc.cmgos.com/share/AbC123'],
    ['见 https://cduc.cmgos.com/share/AbC123。', 'https://cduc.cmgos.com/share/AbC123'],
    ['see (https://cduc.cmgos.com/share/AbC123).', 'https://cduc.cmgos.com/share/AbC123'],
    ['<https://CDUC.cmgos.com/download/f?id=7&sig=x>', 'https://cduc.cmgos.com/download/f?id=7&sig=x'],
    ['"https://cduc.cmgos.com/download/a_(1).zip", 谢谢', 'https://cduc.cmgos.com/download/a_(1).zip'],
  ])('%s', (text, link) => {
    expect(findPortalLinks(text, null, cduc)).toEqual([link]);
  });

  test('href attributes and visible URLs of the HTML part, entities decoded, text part first', () => {
    const html =
      '<p>日志已经上传到CDUC：<a href="https://cduc.cmgos.com/download/file?id=42&amp;token=ab&#x63;">点此下载</a></p>' +
      '<p>备用：https://cduc.cmgos.com/share/Zz9&#65306;谢谢</p>' +
      '<img src="https://track.example.com/share/pixel.gif">';
    const text = '日志已经上传到CDUC：https://cduc.cmgos.com/share/First1';
    expect(findPortalLinks(text, html, cduc)).toEqual([
      'https://cduc.cmgos.com/share/First1',
      'https://cduc.cmgos.com/download/file?id=42&token=abc',
      'https://cduc.cmgos.com/share/Zz9',
    ]);
  });

  test('the same link in the text and the HTML part is listed once', () => {
    const link = 'https://cduc.cmgos.com/share/AbC123';
    expect(findPortalLinks(`链接：${link}`, `<a href='${link}'>${link}</a>`, cduc)).toEqual([link]);
  });

  test('other hosts, look-alike hosts, user-info tricks and other paths are left out', () => {
    const text = [
      'https://cduc.cmgos.com.evil.example/share/AbC123',
      'https://evilcduc.cmgos.com/share/AbC123',
      'https://cduc.cmgos.com@evil.example/share/AbC123',
      'https://cduc.cmgos.com/login?next=/share/AbC123',
      'https://cduc.cmgos.com/',
      'ftp://cduc.cmgos.com/share/AbC123',
      'https://www.microsoft.com/software-download/windows10',
    ].join('\n');
    expect(findPortalLinks(text, null, cduc)).toEqual([]);
  });

  test('a *.domain host allows subdomains but not the domain itself', () => {
    const rules = { hosts: ['*.cmgos.com'], pathPatterns: ['^/share/'] };
    const text = 'https://cduc.cmgos.com/share/a https://eu.cduc.cmgos.com/share/b https://cmgos.com/share/c https://xcmgos.com/share/d';
    expect(findPortalLinks(text, null, rules)).toEqual(['https://cduc.cmgos.com/share/a', 'https://eu.cduc.cmgos.com/share/b']);
  });

  test(`at most ${MAX_PORTAL_LINKS} links`, () => {
    const text = Array.from({ length: 30 }, (_, i) => `第${i}个：https://cduc.cmgos.com/share/F${i}`).join('\n');
    const links = findPortalLinks(text, null, cduc);
    expect(links).toHaveLength(MAX_PORTAL_LINKS);
    expect(links[0]).toBe('https://cduc.cmgos.com/share/F0');
    expect(links[9]).toBe('https://cduc.cmgos.com/share/F9');
  });
});

describe('isAllowedHost', () => {
  test.each([
    ['cduc.cmgos.com', ['cduc.cmgos.com'], true],
    ['CDUC.CMGOS.COM', ['cduc.cmgos.com'], true],
    ['cduc.cmgos.com.', ['cduc.cmgos.com'], true],
    ['a.cduc.cmgos.com', ['cduc.cmgos.com'], false],
    ['a.cmgos.com', ['*.cmgos.com'], true],
    ['cmgos.com', ['*.cmgos.com'], false],
    ['', ['*.cmgos.com'], false],
  ])('%s in %j → %s', (host, hosts, expected) => {
    expect(isAllowedHost(host, hosts)).toBe(expected);
  });
});

describe('mentionsUpload', () => {
  test.each([
    ['日志已上传，请查收。', true],
    ['您好，日志已经上传到CDUC，麻烦帮忙分析一下', true],
    ['日志传到平台了', true],
    ['日志文件比较大，上传至门户', true],
    ['我已经将日志上传到cduc平台，链接稍后发您', true],
    ['附件太大发不出去，通过CDUC上传了日志', true],
    ['上传失败，已重新上传', true],
    ['请查收已上传的日志', true],
    ['日志已上传，收到了吗？', true],
    ['请上传日志到CDUC', false],
    ['上传失败，提示网络错误', false],
    ['日志太大无法上传', false],
    ['我还没有上传日志', false],
    ['日志稍后上传到平台', false],
    ['请问日志上传到哪里？', false],
    ['是否需要上传到门户？', false],
    ['文件放到桌面了', false],
    ['CDUC上传不了，一直转圈', false],
    ['升级失败，日志见附件', false],
  ])('%s → %s', (text, expected) => {
    expect(mentionsUpload(text)).toBe(expected);
  });
});
