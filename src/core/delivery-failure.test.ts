import { httpStatusFailure, smtpFailure, socketFailure } from './delivery-failure';

test('SMTP: the reply code decides; without one, the client error code; no answer at all passes', () => {
  expect(smtpFailure({ responseCode: 550 })).toBe('permanent');
  expect(smtpFailure({ responseCode: 451 })).toBe('transient');
  // These were retried forever while only 5xx counted as final.
  expect(smtpFailure({ code: 'ETLS' })).toBe('permanent');
  expect(smtpFailure({ code: 'EENVELOPE' })).toBe('permanent');
  expect(smtpFailure({ code: 'EAUTH', responseCode: 535 })).toBe('permanent');
  expect(smtpFailure({ code: 'ECONNECTION' })).toBe('transient');
  expect(smtpFailure({ code: 'ETIMEDOUT' })).toBe('transient');
  expect(smtpFailure({})).toBe('transient');
});

test('HTTP and sockets', () => {
  expect([429, 500, 503, 401, 403, 404].map(httpStatusFailure)).toEqual([
    'transient',
    'transient',
    'transient',
    'permanent',
    'permanent',
    'permanent',
  ]);
  expect(['ECONNRESET', 'EAI_AGAIN', 'CERT_HAS_EXPIRED'].map(socketFailure)).toEqual(['transient', 'transient', 'permanent']);
});
