// Builds a typed event. TypeScript cannot tie a generic event type to its member of the
// CaseEvent union, so the one cast that says "this detail belongs to this type" lives here.

import type { CaseEvent, EventDetails, EventType } from '../types';

export function caseEvent<T extends EventType>(e: {
  at: string;
  caseId: string | null;
  messageId: string | null;
  actor: string;
  type: T;
  detail: EventDetails[T];
}): CaseEvent {
  return e as unknown as CaseEvent;
}
