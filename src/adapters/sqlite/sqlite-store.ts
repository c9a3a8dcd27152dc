// CaseStore on SQLite (better-sqlite3), in WAL mode: the database, its migrations and
// transactions, and the case records; drafts, outbox, quarantine, events and digest queries are
// in their own modules over the same handle. A mail's rows and its folder's cursor are
// committed together, so a killed process resumes exactly where it stopped. synchronous=FULL:
// every commit is on disk before casebot acts on it outside (a draft marked appending before its
// APPEND, a mail queued before SMTP), so a power cut cannot undo a step the mailbox already saw.

import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { CaseMessage, CaseView, DraftKind, LiveDraft } from '../../core/case/case-view';
import { storedProblems } from '../../core/intake/problem';
import type { Analysis, Confidence, Evidence, Finding, FixStep, MailAddress, Verdict } from '../../core/types';
import type { CaseStore, CaseSummary, NewArtifact, NewCase, NewMessage } from '../../ports/case-store';
import { MIGRATIONS } from './migrations';
import { SqliteDigest } from './sqlite-digest';
import { SqliteDrafts } from './sqlite-drafts';
import { SqliteEvents } from './sqlite-events';
import { SqliteOutbox } from './sqlite-outbox';
import { SqliteQuarantine } from './sqlite-quarantine';
import { statementCache, type StatementCache } from './statements';

type Row = Record<string, unknown>;

/** A batch commits after this many transactions or this long, whichever comes first. */
const BATCH_UNITS = 500;
const BATCH_MS = 200;

export class SqliteCaseStore implements CaseStore {
  private readonly db: Database.Database;
  private readonly sql: StatementCache;
  /** Made once: db.transaction() prepares its BEGIN, COMMIT and ROLLBACK every time it is called. */
  private readonly inTransaction: (fn: () => unknown) => unknown;
  /** An open batch (see `batched`): transactions since its last commit, and when that was. */
  private batch: { units: number; since: number } | null = null;
  readonly drafts: SqliteDrafts;
  readonly outbox: SqliteOutbox;
  readonly quarantine: SqliteQuarantine;
  readonly events: SqliteEvents;
  readonly digest: SqliteDigest;

  constructor(file: string) {
    if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.pragma('foreign_keys = ON');
    this.db.pragma('busy_timeout = 5000');
    this.inTransaction = this.db.transaction((fn: () => unknown) => fn());
    this.sql = statementCache(this.db);
    this.migrate();
    this.drafts = new SqliteDrafts(this.sql);
    this.outbox = new SqliteOutbox(this.sql);
    this.quarantine = new SqliteQuarantine(this.sql);
    this.events = new SqliteEvents(this.sql);
    this.digest = new SqliteDigest(this.sql, this.drafts);
  }

  close(): void {
    this.db.close();
  }

  /** The open database, for the stores that live in it too (case memory). */
  get database(): Database.Database {
    return this.db;
  }

  /**
   * Copies the store to `file` with SQLite's online backup: a consistent copy while casebot runs
   * and writes (a file copy of a WAL database can miss or tear the latest commits). Never
   * overwrites: an existing file may be the backup someone needs.
   */
  async backup(file: string): Promise<void> {
    if (fs.existsSync(file)) throw new Error(`${file} exists; casebot does not overwrite a file with a backup`);
    await this.db.backup(file);
  }

  get schemaVersion(): number {
    return this.db.pragma('user_version', { simple: true }) as number;
  }

  private migrate(): void {
    const current = this.schemaVersion;
    for (let v = current; v < MIGRATIONS.length; v++) {
      this.db.transaction(() => {
        this.db.exec(MIGRATIONS[v]!);
        this.db.pragma(`user_version = ${v + 1}`);
      })();
    }
  }

  transaction<T>(fn: () => T): T {
    const result = this.inTransaction(fn) as T;
    // Inside a batch that was a savepoint: the unit is whole, so the group may commit here.
    if (this.batch && ++this.batch.units >= BATCH_UNITS) this.commitBatch();
    else if (this.batch && Date.now() - this.batch.since >= BATCH_MS) this.commitBatch();
    return result;
  }

  async batched<T>(work: () => Promise<T>): Promise<T> {
    if (this.batch) return work();
    this.db.exec('BEGIN');
    this.batch = { units: 0, since: Date.now() };
    try {
      return await work();
    } finally {
      // What ran is whole (each unit a released savepoint), also when `work` failed midway.
      this.batch = null;
      if (this.db.inTransaction) this.db.exec('COMMIT');
    }
  }

  private commitBatch(): void {
    // A failure SQLite answers with a full rollback (disk full, say) has ended the transaction.
    if (this.db.inTransaction) this.db.exec('COMMIT');
    this.db.exec('BEGIN');
    this.batch = { units: 0, since: Date.now() };
  }

  getCursor(folder: string): string | null {
    const row = this.sql('SELECT value FROM cursors WHERE folder = ?').get(folder) as Row | undefined;
    return row ? String(row.value) : null;
  }

  setCursor(folder: string, value: string): void {
    this.sql('INSERT INTO cursors (folder, value) VALUES (?, ?) ON CONFLICT (folder) DO UPDATE SET value = excluded.value').run(
      folder,
      value,
    );
  }

  hasMessage(messageId: string): boolean {
    return this.sql('SELECT 1 FROM messages WHERE message_id = ?').get(messageId) !== undefined;
  }

  messageRecord(messageId: string): { rawHash: string; folder: string } | null {
    const row = this.sql('SELECT raw_hash, folder FROM messages WHERE message_id = ?').get(messageId) as Row | undefined;
    return row ? { rawHash: String(row.raw_hash), folder: String(row.folder) } : null;
  }

  caseOfMessages(messageIds: string[]): string | null {
    if (messageIds.length === 0) return null;
    const ids = JSON.stringify(messageIds);
    const fromMessages = this.sql(
      'SELECT case_id FROM messages WHERE message_id IN (SELECT value FROM json_each(?)) AND case_id IS NOT NULL ORDER BY id DESC LIMIT 1',
    ).get(ids) as Row | undefined;
    if (fromMessages) return String(fromMessages.case_id);
    const fromDrafts = this.sql(
      'SELECT case_id FROM drafts WHERE message_id IN (SELECT value FROM json_each(?)) ORDER BY id DESC LIMIT 1',
    ).get(ids) as Row | undefined;
    return fromDrafts ? String(fromDrafts.case_id) : null;
  }

  getCase(caseId: string): CaseSummary | null {
    const row = this.sql('SELECT * FROM cases WHERE case_id = ?').get(caseId) as Row | undefined;
    return row ? toSummary(row) : null;
  }

  listCases(): CaseSummary[] {
    return (this.sql('SELECT * FROM cases ORDER BY case_id').all() as Row[]).map(toSummary);
  }

  createCase(c: NewCase, at: string): void {
    this.sql('INSERT INTO cases (case_id, subject, title, customer, engineer, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)').run(
      c.caseId,
      c.subject,
      c.title,
      c.customer,
      c.engineer,
      at,
      at,
    );
  }

  insertMessage(m: NewMessage, at: string): number {
    const mail = m.mail;
    const result = this.sql(
      `INSERT INTO messages (message_id, raw_hash, case_id, folder, mailbox_ref, machine, direction, from_json, from_address, to_json, cc_json, subject, date,
           arrived_at, in_reply_to, references_json, body_text, success_report, log_attachments, intake_problems, received_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      mail.messageId,
      mail.rawHash,
      m.caseId,
      m.folder,
      m.mailboxRef,
      m.machine ?? null,
      m.direction,
      mail.from ? JSON.stringify(mail.from) : null,
      mail.from?.address.toLowerCase() ?? null,
      JSON.stringify(mail.to),
      JSON.stringify(mail.cc),
      mail.subject,
      mail.date,
      m.arrivedAt,
      mail.inReplyTo,
      JSON.stringify(mail.references),
      mail.text,
      m.successReport ? 1 : 0,
      m.logAttachments,
      JSON.stringify(m.intakeProblems),
      at,
    );
    if (m.caseId) {
      const column = m.direction === 'inbound' ? 'last_inbound_at' : m.direction === 'outbound' ? 'last_outbound_at' : null;
      if (column)
        this.sql(`UPDATE cases SET updated_at = ?, ${column} = MAX(COALESCE(${column}, ''), ?) WHERE case_id = ?`).run(
          at,
          m.arrivedAt,
          m.caseId,
        );
    }
    return Number(result.lastInsertRowid);
  }

  insertArtifact(messageRowId: number, caseId: string, a: NewArtifact, at: string): void {
    const artifact = this.sql(
      'INSERT INTO artifacts (message_row, case_id, filename, sha256, size, problems, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ).run(messageRowId, caseId, a.filename, a.sha256, a.size, JSON.stringify(a.problems), at);
    if (!a.analysis) return;
    const analysis = this.sql(
      'INSERT INTO analyses (artifact_id, case_id, message_row, verdict, story_json, files_json, problems, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    ).run(
      Number(artifact.lastInsertRowid),
      caseId,
      messageRowId,
      a.analysis.verdict,
      JSON.stringify({
        scenario: a.analysis.scenario,
        attempts: a.analysis.attempts,
        errorLines: a.analysis.errorLines,
        outcome: a.analysis.outcome,
      }),
      JSON.stringify(a.analysis.files),
      JSON.stringify(a.analysis.problems),
      at,
    );
    const insertFinding = this.sql(
      `INSERT INTO findings (analysis_id, position, rule, category, title, summary, confidence, confidence_why, basis, facts_json, evidence_json, fix_json, resolution)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const top = a.analysis.findings[0];
    if (top) this.sql('UPDATE cases SET top_finding = ?, top_category = ? WHERE case_id = ?').run(top.title, top.category, caseId);
    a.analysis.findings.forEach((f, i) => {
      insertFinding.run(
        Number(analysis.lastInsertRowid),
        i,
        f.rule,
        f.category,
        f.title,
        f.summary,
        f.confidence,
        f.confidenceWhy,
        f.basis,
        JSON.stringify(f.facts),
        JSON.stringify(f.evidence),
        JSON.stringify(f.fix),
        f.resolution,
      );
    });
  }

  analysisOfBundle(caseId: string, sha256: string): number | null {
    const row = this.sql(
      'SELECT an.id FROM analyses an JOIN artifacts ar ON ar.id = an.artifact_id WHERE ar.case_id = ? AND ar.sha256 = ? ORDER BY an.id DESC LIMIT 1',
    ).get(caseId, sha256) as { id: number } | undefined;
    return row ? Number(row.id) : null;
  }

  markDirty(caseId: string): void {
    this.sql('UPDATE cases SET dirty = 1 WHERE case_id = ?').run(caseId);
  }

  dirtyCases(): string[] {
    return (this.sql('SELECT case_id FROM cases WHERE dirty = 1 ORDER BY case_id').all() as Row[]).map((r) => String(r.case_id));
  }

  clearDirty(caseId: string): void {
    this.sql('UPDATE cases SET dirty = 0 WHERE case_id = ?').run(caseId);
  }

  loadAnalysis(analysisId: number): Analysis | null {
    const row = this.sql('SELECT * FROM analyses WHERE id = ?').get(analysisId) as Row | undefined;
    if (!row) return null;
    const findings = (this.sql('SELECT * FROM findings WHERE analysis_id = ? ORDER BY position').all(analysisId) as Row[]).map(toFinding);
    const story = JSON.parse(String(row.story_json)) as Pick<Analysis, 'scenario' | 'attempts' | 'errorLines'> &
      Partial<Pick<Analysis, 'outcome'>>;
    return {
      verdict: String(row.verdict) as Verdict,
      // Analyses stored before outcomes were recorded have none.
      outcome: null,
      ...story,
      findings,
      files: JSON.parse(String(row.files_json)),
      problems: storedProblems(JSON.parse(String(row.problems))),
    };
  }

  loadCaseView(caseId: string): CaseView {
    const c = this.sql('SELECT * FROM cases WHERE case_id = ?').get(caseId) as Row | undefined;
    if (!c) throw new Error(`no case ${caseId}`);
    // Commands to casebot are not part of the conversation with the customer.
    const rows = this.sql(
      // Which of casebot's drafts a sent mail was: two index lookups, only for what went out.
      `SELECT m.*, CASE WHEN m.direction = 'outbound' THEN COALESCE((SELECT d.kind FROM drafts d WHERE d.message_id = m.message_id),
                                                              (SELECT d.kind FROM drafts d WHERE d.sent_message_id = m.message_id)) END AS sent_draft_kind
           FROM messages m WHERE m.case_id = ? AND m.direction != 'command' ORDER BY m.arrived_at, m.id`,
    ).all(caseId) as Row[];
    const latestAnalysis = this.sql('SELECT id FROM analyses WHERE message_row = ? ORDER BY id DESC LIMIT 1');
    const messages: CaseMessage[] = rows.map((r) => {
      const a = latestAnalysis.get(r.id) as Row | undefined;
      const analysis = a ? this.loadAnalysis(Number(a.id)) : null;
      return {
        messageId: String(r.message_id),
        direction: r.direction === 'outbound' ? 'outbound' : 'inbound',
        arrivedAt: String(r.arrived_at),
        from: r.from_json ? (JSON.parse(String(r.from_json)) as MailAddress) : null,
        to: JSON.parse(String(r.to_json)),
        cc: JSON.parse(String(r.cc_json)),
        date: String(r.date),
        subject: String(r.subject),
        references: JSON.parse(String(r.references_json)),
        text: String(r.body_text),
        sentDraftKind: r.direction === 'outbound' && r.sent_draft_kind ? (String(r.sent_draft_kind) as DraftKind) : null,
        successReport: r.success_report === 1,
        machine: r.machine === null || r.machine === undefined ? null : String(r.machine),
        logAttachments: Number(r.log_attachments),
        intakeProblems: storedProblems(JSON.parse(String(r.intake_problems))),
        analysis: analysis && a ? { ...analysis, id: Number(a.id) } : null,
      };
    });
    const live = this.sql(
      `SELECT * FROM drafts WHERE case_id = ? AND status IN ('pending', 'appending', 'live') ORDER BY id DESC LIMIT 1`,
    ).get(caseId) as Row | undefined;
    const liveDraft: LiveDraft | null = live
      ? {
          id: Number(live.id),
          kind: String(live.kind) as DraftKind,
          messageId: String(live.message_id),
          basedOn: String(live.based_on),
          createdAt: String(live.created_at),
        }
      : null;
    // An accepted command is a 'command' event; it counts from when its mail arrived.
    const commands = this.sql(
      `SELECT json_extract(e.detail_json, '$.name') AS name, COALESCE(m.arrived_at, e.at) AS at
           FROM events e LEFT JOIN messages m ON m.message_id = e.message_id
          WHERE e.case_id = ? AND e.type = 'command' AND json_extract(e.detail_json, '$.name') IN ('close', 'reopen') ORDER BY e.id`,
    ).all(caseId) as Row[];
    return {
      caseId,
      subject: String(c.subject),
      title: String(c.title),
      status: c.status === 'closed' ? 'closed' : 'open',
      messages,
      liveDraft,
      notes: (
        this.sql(`SELECT json_extract(detail_json, '$.text') AS text FROM events WHERE case_id = ? AND type = 'note' ORDER BY id`).all(
          caseId,
        ) as Row[]
      ).map((r) => String(r.text ?? '')),
      statusCommands: commands.map((r) => ({ name: r.name === 'close' ? 'close' : 'reopen', at: String(r.at) })),
    };
  }

  setCaseStatus(caseId: string, status: 'open' | 'closed', at: string): void {
    this.sql('UPDATE cases SET status = ?, updated_at = ?, closed_at = ? WHERE case_id = ?').run(
      status,
      at,
      status === 'closed' ? at : null,
      caseId,
    );
  }

  snooze(caseId: string, until: string | null): void {
    this.sql('UPDATE cases SET snoozed_until = ? WHERE case_id = ?').run(until, caseId);
  }

  mailboxRef(messageId: string): string | null {
    const row = this.sql('SELECT mailbox_ref FROM messages WHERE message_id = ?').get(messageId) as Row | undefined;
    return row?.mailbox_ref ? String(row.mailbox_ref) : null;
  }

  sameMailsSince(fromAddress: string, subject: string, text: string, since: string): number {
    const row = this.sql(
      'SELECT COUNT(*) AS n FROM messages WHERE from_address = ? AND subject = ? AND body_text = ? AND received_at >= ?',
    ).get(fromAddress.toLowerCase(), subject, text, since) as Row;
    return Number(row.n);
  }

  messageRowId(messageId: string): number | null {
    const row = this.sql('SELECT id FROM messages WHERE message_id = ?').get(messageId) as Row | undefined;
    return row ? Number(row.id) : null;
  }

  latestLogMessage(caseId: string): string | null {
    const row = this.sql(
      "SELECT message_id FROM messages WHERE case_id = ? AND direction = 'inbound' AND log_attachments > 0 ORDER BY arrived_at DESC, id DESC LIMIT 1",
    ).get(caseId) as Row | undefined;
    return row ? String(row.message_id) : null;
  }

  /** Plain counts for tests and `casebot status`. */
  counts(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const table of ['cases', 'messages', 'artifacts', 'analyses', 'findings', 'drafts', 'events']) {
      out[table] = Number((this.sql(`SELECT COUNT(*) AS n FROM ${table}`).get() as Row).n);
    }
    return out;
  }
}

function toSummary(row: Row): CaseSummary {
  return {
    caseId: String(row.case_id),
    subject: String(row.subject),
    status: row.status === 'closed' ? 'closed' : 'open',
    customer: row.customer === null ? null : String(row.customer),
    engineer: String(row.engineer),
    snoozedUntil: row.snoozed_until === null || row.snoozed_until === undefined ? null : String(row.snoozed_until),
  };
}

function toFinding(row: Row): Finding {
  const fix = JSON.parse(String(row.fix_json)) as FixStep[];
  return {
    rule: String(row.rule),
    category: String(row.category),
    title: String(row.title),
    summary: String(row.summary),
    confidence: String(row.confidence) as Confidence,
    confidenceWhy: String(row.confidence_why),
    basis: String(row.basis) as Finding['basis'],
    facts: JSON.parse(String(row.facts_json)),
    evidence: JSON.parse(String(row.evidence_json)) as Evidence[],
    fix,
    actions: fix.flatMap((s) => s.commands),
    resolution: String(row.resolution),
  };
}
