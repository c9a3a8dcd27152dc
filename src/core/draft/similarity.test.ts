import { draftSimilarity } from './similarity';

const draft = '赵先生 您好：\n请您在升级失败的计算机上执行 bcdedit /delete {725f2633}\n谢谢';

test('sent as drafted, reflowed, lightly edited, rewritten', () => {
  expect(draftSimilarity(draft, draft)).toBe(1);
  expect(draftSimilarity(draft, draft.replace(/\n/g, '\r\n  '))).toBe(1);
  expect(draftSimilarity(draft, draft.replace('赵先生', '赵工'))).toBeGreaterThan(0.85);
  expect(draftSimilarity(draft, '您好，我们明天电话沟通。')).toBeLessThan(0.2);
});
