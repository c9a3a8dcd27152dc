import { authorizeSender, parseAuthenticationResults } from './authorize-sender';

const engineers = ['weiliang@cmgos.com'];
const ar = (v: string) => parseAuthenticationResults([v], ['mail.cmgos.com']);

test('an engineer whose mail passed DMARC at our server may command', () => {
  expect(
    authorizeSender(
      'weiliang@cmgos.com',
      engineers,
      ar('mail.cmgos.com; dkim=pass header.d=cmgos.com; spf=pass smtp.mailfrom=weiliang@cmgos.com; dmarc=pass header.from=cmgos.com'),
    ),
  ).toEqual({
    allowed: true,
    proof: 'mail.cmgos.com: dmarc=pass',
  });
});

test('aligned DKIM or SPF is proof too', () => {
  expect(authorizeSender('WeiLiang@cmgos.com', engineers, ar('mail.cmgos.com; dkim=pass (good) header.i=@mx.cmgos.com')).allowed).toBe(
    true,
  );
  expect(authorizeSender('weiliang@cmgos.com', engineers, ar('mail.cmgos.com;\r\n spf=pass smtp.mailfrom=cmgos.com')).allowed).toBe(true);
});

test('a stranger is refused whatever the proof', () => {
  const r = authorizeSender('zhaoming@tj.icbc.example.cn', engineers, ar('mail.cmgos.com; dmarc=pass'));
  expect(r).toEqual({ allowed: false, reason: 'zhaoming@tj.icbc.example.cn 不是配置中的工程师' });
});

test('a spoofed engineer address fails: DMARC fail, or DKIM of another domain', () => {
  expect(
    authorizeSender(
      'weiliang@cmgos.com',
      engineers,
      ar('mail.cmgos.com; dkim=pass header.d=evil.example; spf=fail smtp.mailfrom=cmgos.com; dmarc=fail'),
    ).allowed,
  ).toBe(false);
});

test('a header the sender wrote (untrusted authserv-id) proves nothing', () => {
  const verdicts = parseAuthenticationResults(['evil.example; dmarc=pass; dkim=pass header.d=cmgos.com'], ['mail.cmgos.com']);
  expect(verdicts).toEqual([]);
  expect(authorizeSender('weiliang@cmgos.com', engineers, verdicts)).toEqual({
    allowed: false,
    reason: '邮件没有通过发件人验证（没有可信的验证结果）',
  });
});
