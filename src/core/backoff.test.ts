import { backoffMs } from './backoff';

test('doubles from the base, stops at the cap, and jitter keeps between half and all of it', () => {
  expect([1, 2, 3, 4].map((n) => backoffMs(n, 1000))).toEqual([1000, 2000, 4000, 8000]);
  expect(backoffMs(10, 1000, 60_000)).toBe(60_000);
  expect(backoffMs(3, 1000, Infinity, 0)).toBe(2000);
  expect(backoffMs(3, 1000, Infinity, 0.999)).toBeCloseTo(3998, 0);
});
