/** `1 case`, `2 cases`, `0 cases`: counts in casebot's English output. */
export function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
