import { dueSlot } from './schedule';

const schedule = { time: '08:30', timezone: 'Asia/Shanghai', workingDays: [1, 2, 3, 4, 5] };

test('due from the local time on a working day, named by local date', () => {
  // Wednesday 2026-11-25 08:29 and 08:30 in Shanghai (UTC+8).
  expect(dueSlot(new Date('2026-11-25T00:29:00Z'), schedule)).toBeNull();
  expect(dueSlot(new Date('2026-11-25T00:30:00Z'), schedule)).toBe('2026-11-25 08:30 Asia/Shanghai');
  // 23:00 UTC on Wednesday is already Thursday 07:00 in Shanghai: not yet due.
  expect(dueSlot(new Date('2026-11-25T23:00:00Z'), schedule)).toBeNull();
});

test('no digest on a weekend', () => {
  expect(dueSlot(new Date('2026-11-28T04:00:00Z'), schedule)).toBeNull();
});
