// A value read from the environment that must never reach a log line or an error message.

const hidden = new WeakMap<Secret, string>();

export class Secret {
  constructor(value: string, readonly source: string) {
    hidden.set(this, value);
  }

  reveal(): string {
    return hidden.get(this) ?? '';
  }

  toString(): string {
    return `[secret from $${this.source}]`;
  }

  toJSON(): string {
    return this.toString();
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}
