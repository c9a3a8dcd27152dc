// Keeps processing until stopped: one pass now, then another whenever the mailbox signals a
// change (IDLE, Maildir watch) or the poll timer fires. Passes never overlap; changes that
// arrive during a pass are folded into one follow-up pass.

import { MailboxMisconfigured } from '../ports/mailbox';
import { processMailbox, type CasebotDeps, type PassReport } from './process-mailbox';

export interface Watcher {
  /** Resolves once the current pass (if any) has finished and the watch is closed; rejects when the configuration must be fixed first. */
  stop(): Promise<void>;
  done: Promise<void>;
}

export function watchMailbox(deps: CasebotDeps, onPass: (report: PassReport) => void): Watcher {
  let misconfigured: MailboxMisconfigured | null = null;
  let running: Promise<void> | null = null;
  let again = false;
  let stopped = false;
  let fault: string | null = null;
  let resolveDone!: () => void;
  let rejectDone!: (err: Error) => void;
  const done = new Promise<void>((resolve, reject) => {
    resolveDone = resolve;
    rejectDone = reject;
  });

  const pass = (): void => {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    running = (async () => {
      do {
        again = false;
        try {
          onPass(await processMailbox(deps));
          if (fault !== null) {
            deps.log.info('mailbox reachable again', { after: fault });
            fault = null;
          }
        } catch (err) {
          const message = (err as Error).message;
          const configuration = err instanceof MailboxMisconfigured;
          // Each fault is logged and recorded once, not on every retry; the digest lists it.
          if (configuration || message !== fault) {
            fault = message;
            deps.log.error(configuration ? 'the configuration names what the mailbox does not have; stopping' : 'pass failed', {
              error: message,
            });
            deps.store.events.append({
              at: deps.clock().toISOString(),
              caseId: null,
              messageId: null,
              actor: 'casebot',
              type: 'mailbox-fault',
              detail: { error: message, ...(configuration ? { configuration } : {}) },
            });
          }
          if (err instanceof MailboxMisconfigured) {
            // Trying again cannot help: stop watching, and let the caller say so.
            misconfigured = err;
            void watcher.stop();
            return;
          }
          // A failed pass (server gone, …) is retried on the next signal or poll.
        }
      } while (again && !stopped);
    })().finally(() => {
      running = null;
    });
  };

  const unwatch = deps.mailbox.watch(pass);
  const watcher: Watcher = {
    done,
    async stop() {
      if (stopped) return;
      stopped = true;
      await unwatch();
      if (running) await running;
      if (misconfigured) rejectDone(misconfigured);
      else resolveDone();
    },
  };
  pass();
  return watcher;
}
