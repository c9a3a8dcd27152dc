// Exit codes and one-line errors: what scripts and the service manager see of a failed command.

/** Documented in README.md, "Command line". */
export const EXIT = { ok: 0, error: 1, usage: 2, unreadable: 3 } as const;

/** A failure told in one line, with the exit code it warrants. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.error,
  ) {
    super(message);
  }
}

/** One line for any error: Node's `ENOENT: no such file or directory, stat '…'` becomes `no such file or folder: …`. */
export function describeError(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  const words: Record<string, string> = {
    ENOENT: 'no such file or folder',
    EACCES: 'permission denied',
    EPERM: 'permission denied',
    ENOTDIR: 'not a folder',
    EISDIR: 'a folder, not a file',
  };
  if (e?.code && e.path && words[e.code]) return `${words[e.code]}: ${e.path}`;
  return e instanceof Error ? e.message : String(err);
}
