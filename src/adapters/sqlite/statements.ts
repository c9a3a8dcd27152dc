// Prepared statements by their SQL text, each made once: preparing costs more than running most
// of casebot's statements. Callers pass texts from a bounded set (values go in as parameters,
// lists as one JSON parameter), so the cache stays small.

import type Database from 'better-sqlite3';

export type StatementCache = (text: string) => Database.Statement;

export function statementCache(db: Database.Database): StatementCache {
  const statements = new Map<string, Database.Statement>();
  return (text) => {
    let statement = statements.get(text);
    if (!statement) {
      statement = db.prepare(text);
      statements.set(text, statement);
    }
    return statement;
  };
}

/** A nullable column as a string or null. */
export function nullable(v: unknown): string | null {
  return v === null || v === undefined ? null : String(v);
}
