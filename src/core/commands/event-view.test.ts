import { EVENT_TYPES, type CaseEvent } from '../types';
import { conversationOrder, eventLabel } from './event-view';

test('a first import reads Sent before INBOX; the timeline still runs in the order the mails were written', () => {
  const e = (type: string, messageId: string | null, at: string) => ({ type, messageId, at });
  const events = [
    e('case-opened', 'r1', '2026-12-01T10:00:00Z'),
    e('reply-seen', 'r1', '2026-12-01T10:00:00Z'),
    e('mail-received', 'c1', '2026-12-01T10:00:01Z'),
    e('mail-received', 'c2', '2026-12-01T10:00:02Z'),
    e('draft-created', 'd1', '2026-12-01T10:00:03Z'),
  ];
  const dates = new Map([
    ['r1', '2022-04-15T09:15:38Z'],
    ['c1', '2022-04-15T07:42:10Z'],
    ['c2', '2022-04-18T02:12:36Z'],
  ]);
  expect(conversationOrder(events, dates).map((x) => `${x.type}:${x.messageId}`)).toEqual([
    'case-opened:r1',
    'mail-received:c1',
    'reply-seen:r1',
    'mail-received:c2',
    'draft-created:d1',
  ]);
});

test('every kind of event has a Chinese label: a refused command no longer prints as its type twice', () => {
  // Even an event of an older casebot whose detail lacks the fields read today.
  for (const type of EVENT_TYPES) expect(eventLabel({ type, detail: {}, actor: 'a@example.cn' } as CaseEvent)).toMatch(/[\u4e00-\u9fff]/);
  expect(
    eventLabel({ type: 'command-ignored', detail: { subject: 's', reason: 'not an engineer' }, actor: 'zhaoming@tj.icbc.example.cn' }),
  ).toBe('忽略了 zhaoming@tj.icbc.example.cn 的命令（发件人不是配置中的工程师）');
});
