import { httpStatusFailure, imapFolderGone, imapRefusal, imapUnavailable, smtpFailure, socketFailure } from './delivery-failure';

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

test('IMAP: a NO or BAD refuses that message only; a gone folder is found again; anything else passes', () => {
  const no = Object.assign(new Error('Command failed'), {
    responseStatus: 'NO',
    responseText: '[OVERQUOTA] Quota exceeded (mailbox for user is full) (0.001 + 0.000 secs).',
  });
  expect(imapRefusal(no)).toBe('[OVERQUOTA] Quota exceeded (mailbox for user is full)');
  expect(imapRefusal(Object.assign(new Error('too big'), { serverResponseCode: 'APPENDLIMIT' }))).toBe('too big');
  expect(imapRefusal(new Error('Connection not available'))).toBeNull();
  expect(
    imapFolderGone(
      Object.assign(new Error('Command failed'), { responseStatus: 'NO', responseText: "[TRYCREATE] Mailbox doesn't exist: Drafts" }),
    ),
  ).toBe(true);
  expect(imapFolderGone(no)).toBe(false);
  expect(imapUnavailable(Object.assign(new Error('Command failed'), { authenticationFailed: true }))).toBe('IMAP: login refused');
  expect(imapUnavailable(new Error('Connection not available'))).toBe('IMAP: Connection not available');
});
