// Builds and queues the digest: one per engineer (their cases) and one for the team, on the
// schedule (once per slot, across restarts) or at once (/digest, `casebot digest --send`).

import { buildDigest, type DigestSettings, type DigestView } from '../core/digest/build-digest';
import type { RenderedDigest } from '../core/digest/render-digest';
import { describeProblems } from '../core/draft/templates';
import { dueSlot } from '../core/digest/schedule';
import type { CaseStore } from '../ports/case-store';
import type { CasebotDeps } from './casebot-deps';
import { composeMachineMail, type EngineerMailDeps } from './engineer-mail';

/** What this module uses of casebot's dependencies (the composition root passes them all). */
export type SendDigestDeps = Pick<CasebotDeps, 'clock' | 'digest' | 'memory' | 'render' | 'renderDigest' | 'sender' | 'settings'> & {
  store: Pick<CaseStore, 'digest' | 'events' | 'outbox' | 'transaction'>;
} & EngineerMailDeps;

const DEFAULT_THRESHOLDS: DigestSettings = { reminderDays: 3, staleDays: 14 };

/** The digest for one engineer (their cases) or, with `engineer` null, for the team. */
export function makeDigest(
  deps: SendDigestDeps,
  engineer: string | null,
  recipient: string,
): { view: DigestView; rendered: RenderedDigest } {
  const now = deps.clock();
  const since = deps.store.digest.lastAt(recipient) ?? new Date(now.getTime() - 86400000).toISOString();
  const weekAgo = new Date(now.getTime() - 7 * 86400000).toISOString();
  const data = deps.store.digest.data(engineer, since, weekAgo);
  const name = engineer ? (deps.settings.engineers.find((e) => e.address === engineer)?.name ?? engineer) : deps.settings.team.name;
  const describe = describeProblems(deps.render, deps.settings.portal);
  const view = buildDigest(data, now, deps.digest ?? DEFAULT_THRESHOLDS, name, describe, deps.memory.sharedSignatures(weekAgo));
  return { view, rendered: deps.renderDigest(view) };
}

/** Queues a digest mail; with a slot, only if that slot's digest was not made yet. */
export async function queueDigest(deps: SendDigestDeps, engineer: string | null, recipient: string, slot: string | null): Promise<boolean> {
  const { store } = deps;
  if (slot && store.digest.sent(slot, recipient)) return false;
  const { rendered } = makeDigest(deps, engineer, recipient);
  const now = deps.clock().toISOString();
  await composeMachineMail(deps, 'digest', recipient, null, rendered, (messageId, raw) =>
    store.transaction(() => {
      store.outbox.enqueue(
        {
          messageId,
          purpose: 'engineer',
          caseId: null,
          draftId: null,
          envelopeFrom: deps.settings.team.address,
          envelopeTo: [recipient.toLowerCase()],
          raw,
          nextAttemptAt: now,
        },
        now,
      );
      store.digest.record(slot ?? `now ${now}`, recipient, messageId, now);
      store.events.append({ at: now, caseId: null, messageId, actor: 'casebot', type: 'digest-queued', detail: { recipient, slot } });
    }),
  );
  return true;
}

/** Called on every pass: queues the digests of the current slot that were not made yet. */
export async function queueScheduledDigests(deps: SendDigestDeps): Promise<number> {
  if (!deps.digest || !deps.sender) return 0;
  const slot = dueSlot(deps.clock(), deps.digest);
  if (!slot) return 0;
  let queued = 0;
  for (const e of deps.settings.engineers) if (await queueDigest(deps, e.address, e.address, slot)) queued++;
  if (deps.digest.team && (await queueDigest(deps, null, deps.settings.team.address, slot))) queued++;
  return queued;
}
