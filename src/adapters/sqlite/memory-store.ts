// Case memory on SQLite, in the case store's database: remembered cases and findings, an FTS5
// index (unicode61 over tokens made in TypeScript, ranked with bm25), feedback counts, the
// templates of successful runs, and the signatures open cases show.

import type Database from 'better-sqlite3';
import { fingerprintTerms, isSearchTerm } from '../../core/memory/rank';
import type { MemoryCandidate, MemoryQuery, Outcome, RememberedCase, RememberedFinding } from '../../core/memory/types';
import type { CaseMemory, SharedSignature, ThreadMail } from '../../ports/case-memory';
import { statementCache, type StatementCache } from './statements';

type Row = Record<string, unknown>;

/** Most query terms an FTS query carries: enough for a long description, bounded for speed. */
const MAX_QUERY_TERMS = 160;
/** Cases with the same finding ranked per lookup, most recent first: more cannot change the top three. */
const EXACT_CANDIDATES = 50;

export class SqliteCaseMemory implements CaseMemory {
  private readonly sql: StatementCache;

  constructor(private readonly db: Database.Database) {
    this.sql = statementCache(db);
  }

  remember(memory: RememberedCase, at: string): void {
    this.db.transaction(() => {
      const row = this.sql(
        `INSERT INTO memory_case (case_id, subject, closed_at, problem, fix_text, remembered_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (case_id) DO UPDATE SET subject = excluded.subject, closed_at = excluded.closed_at, problem = excluded.problem,
           fix_text = excluded.fix_text, remembered_at = excluded.remembered_at
         RETURNING rowid`,
      ).get(memory.caseId, memory.subject, memory.closedAt, memory.problem, memory.fixText, at) as Row;
      const rowid = Number(row.rowid);
      const before = this.sql('SELECT text, signature FROM memory_fts WHERE rowid = ?').get(rowid) as Row | undefined;
      if (before) this.countTerms(termsOf(String(before.text), String(before.signature)), -1);
      this.sql('DELETE FROM memory_finding WHERE case_id = ?').run(memory.caseId);
      this.sql('DELETE FROM memory_fts WHERE rowid = ?').run(rowid);
      const insert = this.sql(
        `INSERT INTO memory_finding (case_id, position, rule, key, title, codes_json, entities_json, templates_json, advice_json, advice_given, outcome, generic)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      );
      memory.findings.forEach((f, i) =>
        insert.run(
          memory.caseId,
          i,
          f.rule,
          f.key,
          f.title,
          JSON.stringify(f.codes),
          JSON.stringify(f.entities),
          JSON.stringify(f.templates),
          JSON.stringify(f.advice),
          f.adviceGiven ? 1 : 0,
          f.outcome,
          f.generic ? 1 : 0,
        ),
      );
      const text = memory.textTokens.join(' ');
      const signature = [...new Set(memory.findings.flatMap(fingerprintTerms))].join(' ');
      this.sql('INSERT INTO memory_fts (rowid, text, signature) VALUES (?, ?, ?)').run(rowid, text, signature);
      this.countTerms(termsOf(text, signature), 1);
    })();
  }

  /** Keeps memory_term (documents per term) in step with memory_fts. */
  private countTerms(terms: Set<string>, delta: 1 | -1): void {
    const add = this.sql('INSERT INTO memory_term (term, docs) VALUES (?, 1) ON CONFLICT (term) DO UPDATE SET docs = docs + 1');
    const remove = this.sql('UPDATE memory_term SET docs = docs - 1 WHERE term = ?');
    for (const term of terms) (delta > 0 ? add : remove).run(term);
    if (delta < 0)
      this.sql('DELETE FROM memory_term WHERE docs <= 0 AND term IN (SELECT value FROM json_each(?))').run(JSON.stringify([...terms]));
  }

  recall(caseId: string): RememberedCase | null {
    const row = this.sql('SELECT c.*, f.text FROM memory_case c JOIN memory_fts f ON f.rowid = c.rowid WHERE c.case_id = ?').get(caseId) as
      Row | undefined;
    if (!row) return null;
    return { ...toCase(row, this.findingsOf([caseId]).get(caseId) ?? []), textTokens: String(row.text).split(' ').filter(Boolean) };
  }

  size(): number {
    return Number((this.sql('SELECT COUNT(*) AS n FROM memory_case').get() as Row).n);
  }

  candidates(query: MemoryQuery, limit: number): { candidates: MemoryCandidate[]; stats: { cases: number; docs: Map<string, number> } } {
    const terms = [...new Set([...query.findings.flatMap(fingerprintTerms), ...query.textTokens])].slice(0, MAX_QUERY_TERMS);
    const cases = this.size();
    const docs = new Map<string, number>();
    if (terms.length === 0 || cases === 0) return { candidates: [], stats: { cases, docs } };
    for (const r of this.sql('SELECT term, docs FROM memory_term WHERE term IN (SELECT value FROM json_each(?))').all(
      JSON.stringify(terms),
    ) as Row[]) {
      docs.set(String(r.term), Number(r.docs));
    }

    const found = new Map<string, { row: Row; text: number }>();
    const known = terms.filter((t) => isSearchTerm(docs.get(t) ?? 0, cases));
    if (known.length > 0) {
      const match = known.map((t) => `"${t}"`).join(' OR ');
      const rows = this.sql(
        `SELECT c.*, -bm25(memory_fts, 1.0, 0.0) AS text_score FROM memory_fts JOIN memory_case c ON c.rowid = memory_fts.rowid
          WHERE memory_fts MATCH ? ORDER BY bm25(memory_fts, 1.0, 1.0) LIMIT ?`,
      ).all(match, limit) as Row[];
      for (const r of rows) found.set(String(r.case_id), { row: r, text: Number(r.text_score) });
    }
    // The same finding is always a candidate, however many cases outscore it on words.
    const keys = [...new Set(query.findings.map((f) => f.key).filter((k): k is string => k !== null))];
    if (keys.length > 0) {
      const exact = this.sql(
        `SELECT c.* FROM memory_finding f JOIN memory_case c ON c.case_id = f.case_id WHERE f.key IN (SELECT value FROM json_each(?))
          ORDER BY CASE f.outcome WHEN 'fixed_confirmed' THEN 0 WHEN 'fixed_unconfirmed' THEN 1 WHEN 'workaround' THEN 2 WHEN 'unknown' THEN 3 ELSE 4 END, c.closed_at DESC
          LIMIT ?`,
      ).all(JSON.stringify(keys), EXACT_CANDIDATES) as Row[];
      for (const r of exact) if (!found.has(String(r.case_id))) found.set(String(r.case_id), { row: r, text: 0 });
    }
    const findings = this.findingsOf([...found.keys()]);
    const candidates = [...found.entries()].map(([caseId, { row, text }]) => ({
      memory: toCase(row, findings.get(caseId) ?? []),
      textBm25: Math.max(0, text),
      useful: Number(row.useful),
      notUseful: Number(row.not_useful),
    }));
    return { candidates, stats: { cases, docs } };
  }

  feedback(caseId: string, useful: boolean): boolean {
    const column = useful ? 'useful' : 'not_useful';
    return this.sql(`UPDATE memory_case SET ${column} = ${column} + 1 WHERE case_id = ?`).run(caseId).changes > 0;
  }

  normalTemplates(): Set<string> {
    return new Set((this.sql('SELECT template FROM memory_normal_template').all() as Row[]).map((r) => String(r.template)));
  }

  addNormalTemplates(templates: string[]): number {
    const insert = this.sql('INSERT OR IGNORE INTO memory_normal_template (template) VALUES (?)');
    return this.db.transaction(() => templates.reduce((n, t) => n + insert.run(t).changes, 0))();
  }

  recordSignature(caseId: string, key: string, title: string, at: string): void {
    this.sql(
      'INSERT INTO memory_signature (case_id, key, title, seen_at) VALUES (?, ?, ?, ?) ON CONFLICT (case_id, key) DO UPDATE SET seen_at = excluded.seen_at',
    ).run(caseId, key, title, at);
  }

  sharedSignatures(since: string): SharedSignature[] {
    const rows = this.sql(
      `SELECT s.key, MIN(s.title) AS title, GROUP_CONCAT(s.case_id, ' ') AS cases, COUNT(*) AS n
           FROM memory_signature s JOIN cases c ON c.case_id = s.case_id AND c.status = 'open'
          WHERE s.seen_at >= ? GROUP BY s.key HAVING n >= 2 ORDER BY n DESC, s.key`,
    ).all(since) as Row[];
    return rows.map((r) => ({ key: String(r.key), title: String(r.title), caseIds: String(r.cases).split(' ').sort() }));
  }

  threadMails(caseId: string): ThreadMail[] {
    const rows = this.sql(
      "SELECT direction, body_text, arrived_at, success_report FROM messages WHERE case_id = ? AND direction != 'command' AND machine IS NULL ORDER BY arrived_at, id",
    ).all(caseId) as Row[];
    return rows.map((r) => ({
      direction: r.direction === 'outbound' ? 'outbound' : 'inbound',
      text: String(r.body_text),
      arrivedAt: String(r.arrived_at),
      successReport: r.success_report === 1,
    }));
  }

  private findingsOf(caseIds: string[]): Map<string, RememberedFinding[]> {
    const out = new Map<string, RememberedFinding[]>();
    if (caseIds.length === 0) return out;
    const rows = this.sql('SELECT * FROM memory_finding WHERE case_id IN (SELECT value FROM json_each(?)) ORDER BY case_id, position').all(
      JSON.stringify(caseIds),
    ) as Row[];
    for (const r of rows) {
      const list = out.get(String(r.case_id)) ?? [];
      list.push({
        rule: r.rule === null ? null : String(r.rule),
        key: r.key === null ? null : String(r.key),
        title: String(r.title),
        codes: JSON.parse(String(r.codes_json)),
        entities: JSON.parse(String(r.entities_json)),
        templates: JSON.parse(String(r.templates_json)),
        advice: JSON.parse(String(r.advice_json)),
        adviceGiven: r.advice_given === 1,
        outcome: String(r.outcome) as Outcome,
        ...(r.generic === 1 ? { generic: true } : {}),
      });
      out.set(String(r.case_id), list);
    }
    return out;
  }
}

function toCase(row: Row, findings: RememberedFinding[]): Omit<RememberedCase, 'textTokens'> {
  return {
    caseId: String(row.case_id),
    subject: String(row.subject),
    closedAt: String(row.closed_at),
    problem: String(row.problem),
    fixText: row.fix_text === null ? null : String(row.fix_text),
    findings,
  };
}

/** The distinct terms of an FTS row: its tokens are letters and digits, so unicode61 keeps each whole. */
function termsOf(text: string, signature: string): Set<string> {
  return new Set(`${text} ${signature}`.split(' ').filter(Boolean));
}
