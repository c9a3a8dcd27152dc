// The real mailbox with some of its methods replaced: a fault injected exactly where a test
// wants it (a crash after APPEND, a server restart before a fetch, a mail that hangs).

import type { Mailbox } from '../../src/ports/mailbox';

export function withFaults(inner: Mailbox, overrides: Partial<Mailbox>): Mailbox {
  return new Proxy(inner, {
    get(target, prop, receiver) {
      const override = (overrides as Record<PropertyKey, unknown>)[prop];
      if (override !== undefined) return override;
      const value = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
