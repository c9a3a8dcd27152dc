// Log lines on stderr: `time level message key=value …`. Quiet mode drops info lines.

import type { Logger } from '../ports/logger';

export function consoleLogger(options: { quiet?: boolean } = {}): Logger {
  const line = (level: string, message: string, fields?: Record<string, unknown>) => {
    const extra = Object.entries(fields ?? {})
      .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
      .join(' ');
    process.stderr.write(`${new Date().toISOString()} ${level} ${message}${extra ? ' ' + extra : ''}\n`);
  };
  return {
    info: (m, f) => (options.quiet ? undefined : line('info', m, f)),
    warn: (m, f) => line('warn', m, f),
    error: (m, f) => line('error', m, f),
  };
}
