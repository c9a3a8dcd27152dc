// One way of saying what is wrong in a YAML file, for the config and the knowledge files alike:
// the key's path, then zod's message (`customers.0.engineer: Invalid email`).

import type { ZodError } from 'zod';

export function zodMessages(error: ZodError): string[] {
  return error.issues.map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(top level)'}: ${issue.message}`);
}
