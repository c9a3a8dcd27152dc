// One casebot pass as the service runs it: a fresh casebot on the config, the mailbox opened, one
// pass, everything closed. And a look at the store between passes, the same way.

import { processMailbox, type PassReport } from '../../src/app/process-mailbox';
import { loadConfig } from '../../src/config/load';
import { createCasebot, type Casebot } from '../../src/main';
import type { Logger } from '../../src/ports/logger';

export const quiet: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };

export async function runPass(configFile: string): Promise<PassReport> {
  const bot = createCasebot(loadConfig(configFile), quiet);
  try {
    await bot.mailbox.open();
    return await processMailbox(bot);
  } finally {
    await bot.close();
  }
}

export async function withBot<T>(configFile: string, fn: (bot: Casebot) => T): Promise<T> {
  const bot = createCasebot(loadConfig(configFile), quiet);
  try {
    return fn(bot);
  } finally {
    await bot.close();
  }
}
