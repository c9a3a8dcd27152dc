import { draftOutcomes, draftStats, sinceOf, statusAfterSend, type DraftEvent } from './draft-outcomes';

const ev = (type: string, at: string, over: Partial<DraftEvent> = {}): DraftEvent => ({
  at: `2026-11-${at}Z`,
  caseId: 'CAS-1',
  messageId: null,
  type,
  kind: null,
  draft: null,
  similarity: null,
  findings: [],
  edits: null,
  ...over,
});
const created = (id: string, at: string, kind = 'diagnosis', caseId = 'CAS-1') =>
  ev('draft-created', at, { messageId: id, kind, caseId, findings: kind === 'diagnosis' ? ['bcd-clone-failure'] : [] });

test('each draft ends as one outcome; a send wins, even after the draft was deleted from Drafts', () => {
  const records = draftOutcomes([
    created('d1', '01T01:00:00'),
    ev('draft-sent', '01T03:00:00', { messageId: 'd1', draft: 'd1', similarity: 0.98 }),
    created('d2', '02T01:00:00', 'log-rerequest'),
    created('d3', '02T02:00:00', 'log-rerequest'),
    ev('draft-deleted', '02T03:00:00', { messageId: 'd3' }),
    ev('draft-sent', '02T04:00:00', {
      messageId: 'own@x',
      draft: 'd3',
      similarity: 0.6,
      edits: { removed: 2, added: 1, commandsChanged: [], templateSentences: ['感谢您联系我们。'] },
    }),
    created('d4', '03T01:00:00', 'closure'),
    ev('draft-discarded', '03T02:00:00', { messageId: 'command@x', draft: 'd4' }),
    created('d5', '03T03:00:00', 'closure'),
    ev('draft-retired', '03T04:00:00'),
    created('d6', '04T01:00:00', 'closure', 'CAS-2'),
  ]);
  expect(records.map((r) => [r.messageId, r.outcome])).toEqual([
    ['d1', 'sent-as-drafted'],
    ['d2', 'replaced'],
    ['d3', 'sent-edited'],
    ['d4', 'discarded'],
    ['d5', 'discarded'],
    ['d6', 'waiting'],
  ]);
  const stats = draftStats(records, '2026-11-01T00:00:00Z');
  expect(stats.byKind.find((r) => r.label === 'log-rerequest')).toMatchObject({
    made: 2,
    edited: 1,
    editedSimilarity: 0.6,
    replaced: 1,
    hoursToSend: 2,
  });
  expect(stats.byRule).toEqual([expect.objectContaining({ label: 'bcd-clone-failure', made: 1, asDrafted: 1, hoursToSend: 2 })]);
  expect(stats.rewritten).toEqual([{ template: 'log-rerequest', sentence: '感谢您联系我们。', count: 1 }]);
});

test('sinceOf reads 30d, 12h, 2w and refuses the rest', () => {
  const now = new Date('2026-12-07T00:00:00Z');
  expect(sinceOf('30d', now)).toBe('2026-11-07T00:00:00.000Z');
  expect(sinceOf('12h', now)).toBe('2026-12-06T12:00:00.000Z');
  expect(sinceOf('2w', now)).toBe('2026-11-23T00:00:00.000Z');
  expect(sinceOf('yesterday', now)).toBeNull();
});

test('statusAfterSend: the same Message-ID went out as drafted; any other leaves casebot’s copy to remove', () => {
  expect(statusAfterSend('casebot.x@cmgos.com', 'casebot.x@cmgos.com')).toBe('sent');
  expect(statusAfterSend('casebot.x@cmgos.com', 'own@cmgos.com')).toBe('edited');
});
