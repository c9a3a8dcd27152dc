// A parsed mail with every field set, for tests and benches that feed the store directly.

import type { ParsedMail } from '../../src/core/types';

export function parsedMail(fields: Partial<ParsedMail> & Pick<ParsedMail, 'messageId'>): ParsedMail {
  return {
    rawHash: `hash-${fields.messageId}`,
    subject: '',
    from: null,
    to: [],
    cc: [],
    date: '2026-11-25T00:00:00.000Z',
    inReplyTo: null,
    references: [],
    text: '',
    html: null,
    attachments: [],
    authResults: [],
    loopHeader: null,
    autoHeaders: {},
    ...fields,
  };
}
