// Runs the Debian unpacking tools (7-Zip's 7zz, libarchive's bsdtar) on customer archives:
// found on PATH without a shell, spawned without a shell, stdin closed so a password prompt
// ends at once, and killed when they go quiet for too long.

import { spawn, type ChildProcessByStdio } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';

/** The tool is not installed: the bundle gets a problem, the mail is not failed. */
export class ToolMissing extends Error {
  constructor(readonly tool: string) {
    super(`${tool} is not installed`);
  }
}

/** The tool ran and refused the archive; `stderr` says why in the tool's words. */
export class ToolFailed extends Error {
  constructor(
    readonly tool: string,
    readonly stderr: string,
  ) {
    super(`${tool} failed: ${stderr.trim().split('\n').slice(-3).join(' ')}`);
  }
}

export class ToolTimedOut extends Error {}

/** The first of `names` that is an executable file on `searchPath`. */
export function findTool(names: readonly string[], searchPath: string): string {
  for (const name of names) {
    for (const dir of searchPath.split(path.delimiter).filter(Boolean)) {
      const candidate = path.join(dir, name);
      try {
        fs.accessSync(candidate, fs.constants.X_OK);
        if (fs.statSync(candidate).isFile()) return candidate;
      } catch {
        // not in this folder
      }
    }
  }
  throw new ToolMissing(names[0]!);
}

// Names are printed and read as UTF-8 whatever the machine's locale is.
const TOOL_ENV = { PATH: '/usr/bin:/bin', LC_ALL: 'C.UTF-8', LANG: 'C.UTF-8' };
const STDERR_KEEP = 8 * 1024;

type Tool = ChildProcessByStdio<null, Readable, Readable>;

function start(tool: string, args: string[]): { child: Tool; stderr: () => string; exit: Promise<number | null> } {
  const child = spawn(tool, args, { stdio: ['ignore', 'pipe', 'pipe'], env: TOOL_ENV, shell: false });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => {
    if (stderr.length < STDERR_KEEP) stderr += c.toString('utf8');
  });
  const exit = new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve(code));
  });
  return { child, stderr: () => stderr, exit };
}

/**
 * The tool's whole output as text (a listing), at most `maxBytes` of it. Killed after
 * `idleMs` without output; a non-zero exit is a ToolFailed carrying stderr.
 */
export async function runForText(tool: string, args: string[], idleMs: number, maxBytes: number): Promise<string> {
  const run = start(tool, args);
  const chunks: Buffer[] = [];
  let size = 0;
  let timedOut = false;
  let timer = setTimeout(() => ((timedOut = true), run.child.kill('SIGKILL')), idleMs);
  run.child.stdout.on('data', (c: Buffer) => {
    clearTimeout(timer);
    timer = setTimeout(() => ((timedOut = true), run.child.kill('SIGKILL')), idleMs);
    size += c.length;
    if (size > maxBytes) run.child.kill('SIGKILL');
    else chunks.push(c);
  });
  try {
    const code = await run.exit;
    if (timedOut) throw new ToolTimedOut(`${path.basename(tool)} gave no output for ${idleMs} ms`);
    const output = Buffer.concat(chunks).toString('utf8');
    if (code !== 0) throw new ToolFailed(path.basename(tool), `${run.stderr()}\n${output}`);
    return output;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The tool's stdout as a stream (an entry unpacked with -so / -O). The idle clock runs only
 * while waiting for the tool, not while the consumer works on a chunk. Stopping early (the
 * consumer breaks, or a limit throws) kills the tool.
 */
export async function* runForBytes(tool: string, args: string[], idleMs: number): AsyncGenerator<Buffer> {
  const run = start(tool, args);
  const exit = run.exit.catch((err: Error) => err);
  const chunks = run.child.stdout[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  let finished = false;
  try {
    for (;;) {
      let timer: NodeJS.Timeout | undefined;
      const idle = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new ToolTimedOut(`${path.basename(tool)} sent nothing for ${idleMs} ms`)), idleMs);
      });
      const next = await Promise.race([chunks.next(), idle]).finally(() => clearTimeout(timer));
      if (next.done) break;
      yield next.value;
    }
    const code = await exit;
    if (code instanceof Error) throw code;
    if (code !== 0) throw new ToolFailed(path.basename(tool), run.stderr());
    finished = true;
  } finally {
    if (!finished) run.child.kill('SIGKILL');
  }
}
