// CaseStore on SQLite (better-sqlite3), in WAL mode. A mail's rows and its folder's cursor are
// committed together, so a killed process resumes exactly where it stopped. synchronous=FULL:
// every commit is on disk before casebot acts on it outside (a draft marked appending before its
// APPEND, a mail queued before SMTP), so a power cut cannot undo a step the mailbox already saw.

import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { PLACEHOLDER } from '../../core/draft/build-draft';
import type { CaseMessage, CaseView, DraftKind, LiveDraft } from '../../core/case/case-view';
import type { DigestData } from '../../core/digest/digest-data';
import { storedProblems } from '../../core/intake/problem';
import type { DraftEdits, DraftEvent } from '../../core/stats/draft-outcomes';
import type { Analysis, Confidence, EventType, Evidence, Finding, FixStep, MailAddress, Verdict } from '../../core/types';
import type {
  CaseStore,
  CaseSummary,
  DraftStatus,
  NewArtifact,
  NewCase,
  NewMessage,
  OutboxEntry,
  OutboxStatus,
  QuarantinedMail,
  StoreEvent,
  StoredDraft,
} from '../../ports/case-store';
import { MIGRATIONS } from './migrations';
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

  insertDraft(d: Omit<StoredDraft, 'id' | 'status'>): number {
    const result = this.sql(
      `INSERT INTO drafts (case_id, kind, message_id, based_on, status, raw, body_text, created_at, updated_at) VALUES (?, ?, ?, ?, 'pending', ?, ?, ?, ?)`,
    ).run(d.caseId, d.kind, d.messageId, d.basedOn, d.raw, d.bodyText, d.createdAt, d.createdAt);
    return Number(result.lastInsertRowid);
  }

  liveDraft(caseId: string): StoredDraft | null {
    const row = this.sql(
      `SELECT * FROM drafts WHERE case_id = ? AND status IN ('pending', 'appending', 'live') ORDER BY id DESC LIMIT 1`,
    ).get(caseId) as Row | undefined;
    return row ? toDraft(row) : null;
  }

  unsentDraftAnswering(caseId: string, basedOn: string[]): StoredDraft | null {
    if (basedOn.length === 0) return null;
    const row = this.sql(
      `SELECT * FROM drafts WHERE case_id = ? AND status != 'sent' AND based_on IN (SELECT value FROM json_each(?)) ORDER BY id DESC LIMIT 1`,
    ).get(caseId, JSON.stringify(basedOn)) as Row | undefined;
    return row ? toDraft(row) : null;
  }

  draftHistory(since: string, engineer: string | null): DraftEvent[] {
    // Drafts made since `since` and what happened to them since (a send can come days later). Only
    // the fields the outcome needs are taken out of the JSON here: tens of thousands of rows.
    const statement = this.sql(
      `SELECT e.at, e.case_id, e.message_id, e.type, e.detail_json
         FROM events e INDEXED BY events_drafts ${engineer === null ? '' : 'JOIN cases c ON c.case_id = e.case_id AND c.engineer = @engineer'}
        WHERE e.type IN ('draft-created', 'draft-sent', 'draft-discarded', 'draft-deleted', 'draft-retired') AND e.at >= @since
        ORDER BY e.id`,
    );
    const out: DraftEvent[] = [];
    for (const [at, caseId, messageId, type, json] of statement.raw(true).iterate({ since, engineer }) as Iterable<
      [string, string, string | null, string, string]
    >) {
      const d = JSON.parse(json) as { kind?: string; draft?: string; similarity?: number; findings?: string[]; edits?: DraftEdits };
      out.push({
        at,
        caseId,
        messageId,
        type,
        kind: d.kind ?? null,
        draft: d.draft ?? null,
        similarity: typeof d.similarity === 'number' ? d.similarity : null,
        findings: Array.isArray(d.findings) ? d.findings : [],
        edits: d.edits ?? null,
      });
    }
    return out;
  }

  setDraftSent(id: number, status: 'sent' | 'edited', sentMessageId: string, similarity: number, at: string): void {
    this.sql('UPDATE drafts SET status = ?, sent_message_id = ?, similarity = ?, updated_at = ? WHERE id = ?').run(
      status,
      sentMessageId,
      similarity,
      at,
      id,
    );
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

  digestData(engineer: string | null, since: string, draftsSince: string): DigestData {
    const byEngineer = engineer === null ? '' : 'AND c.engineer = @engineer';
    const cases = (
      this.sql(
        `SELECT c.case_id, c.subject, c.engineer, c.customer, c.status, c.created_at, c.closed_at, c.snoozed_until,
                  c.last_inbound_at, c.last_outbound_at, c.top_finding, c.top_category,
                  (SELECT m.message_id FROM messages m WHERE m.case_id = c.case_id ORDER BY m.id LIMIT 1) AS thread_message_id,
                  (SELECT MIN(m.arrived_at) FROM messages m WHERE m.case_id = c.case_id) AS started_at,
                  d.kind AS draft_kind, d.created_at AS draft_created_at, instr(d.body_text, @placeholder) > 0 AS draft_unfinished
             FROM cases c
             LEFT JOIN drafts d ON d.case_id = c.case_id AND d.status IN ('pending', 'appending', 'live')
            WHERE (c.status = 'open' OR c.closed_at >= @since) ${byEngineer}
            ORDER BY c.case_id`,
      ).all({ since, engineer, placeholder: PLACEHOLDER }) as Row[]
    ).map((r) => ({
      caseId: String(r.case_id),
      subject: String(r.subject),
      engineer: String(r.engineer),
      customer: nullable(r.customer),
      status: r.status === 'closed' ? ('closed' as const) : ('open' as const),
      startedAt: String(r.started_at ?? r.created_at),
      closedAt: nullable(r.closed_at),
      snoozedUntil: nullable(r.snoozed_until),
      lastInboundAt: nullable(r.last_inbound_at),
      lastOutboundAt: nullable(r.last_outbound_at),
      threadMessageId: nullable(r.thread_message_id),
      topFinding: nullable(r.top_finding),
      topCategory: nullable(r.top_category),
      draftKind: nullable(r.draft_kind),
      draftCreatedAt: nullable(r.draft_created_at),
      draftUnfinished: r.draft_unfinished === 1,
    }));
    const events = (
      this.sql(
        `SELECT e.* FROM events e LEFT JOIN cases c ON c.case_id = e.case_id
            WHERE e.type IN ('mail-unmatched', 'mail-quarantined', 'command-refused', 'send-failed', 'mail-received', 'mailbox-fault', 'draft-refused', 'draft-failed')
              AND e.at >= @since ${engineer === null ? '' : 'AND (c.engineer = @engineer OR e.case_id IS NULL)'}
            ORDER BY e.id`,
      ).all({ since, engineer }) as Row[]
    )
      .map(eventOf)
      // Received mail matters here only when its bundle could not be used.
      .filter(
        (e) =>
          e.type !== 'mail-received' ||
          (Array.isArray(e.detail.bundles) && e.detail.bundles.some((b: { problems?: unknown[] }) => (b.problems?.length ?? 0) > 0)),
      );
    return { cases, events, draftEvents: this.draftHistory(draftsSince, engineer) };
  }

  digestSent(slot: string, recipient: string): boolean {
    return this.sql('SELECT 1 FROM digests WHERE slot = ? AND recipient = ?').get(slot, recipient) !== undefined;
  }

  recordDigest(slot: string, recipient: string, messageId: string, at: string): void {
    this.sql('INSERT OR IGNORE INTO digests (slot, recipient, message_id, created_at) VALUES (?, ?, ?, ?)').run(
      slot,
      recipient,
      messageId,
      at,
    );
  }

  lastDigestAt(recipient: string): string | null {
    const row = this.sql('SELECT MAX(created_at) AS at FROM digests WHERE recipient = ?').get(recipient) as Row;
    return nullable(row.at);
  }

  enqueueOutbox(e: Omit<OutboxEntry, 'id' | 'status' | 'attempts' | 'lastError'>, at: string): number {
    const result = this.sql(
      `INSERT INTO outbox (message_id, purpose, case_id, draft_id, envelope_from, envelope_to, raw, status, next_attempt_at, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?)`,
    ).run(e.messageId, e.purpose, e.caseId, e.draftId, e.envelopeFrom, JSON.stringify(e.envelopeTo), e.raw, e.nextAttemptAt, at);
    return Number(result.lastInsertRowid);
  }

  outboxByMessageId(messageId: string): OutboxEntry | null {
    const row = this.sql('SELECT * FROM outbox WHERE message_id = ?').get(messageId) as Row | undefined;
    return row ? toOutbox(row) : null;
  }

  dueOutbox(now: string): OutboxEntry[] {
    return (
      this.sql("SELECT * FROM outbox WHERE status IN ('pending', 'sending') AND next_attempt_at <= ? ORDER BY id").all(now) as Row[]
    ).map(toOutbox);
  }

  updateOutbox(
    id: number,
    fields: Partial<Pick<OutboxEntry, 'status' | 'attempts' | 'nextAttemptAt' | 'lastError'>> & { sentAt?: string },
  ): void {
    const columns: Record<string, string> = {
      status: 'status',
      attempts: 'attempts',
      nextAttemptAt: 'next_attempt_at',
      lastError: 'last_error',
      sentAt: 'sent_at',
    };
    const entries = Object.entries(fields).filter(([k]) => k in columns);
    if (entries.length === 0) return;
    this.sql(`UPDATE outbox SET ${entries.map(([k]) => `${columns[k]} = ?`).join(', ')} WHERE id = ?`).run(
      ...entries.map(([, v]) => v),
      id,
    );
  }

  engineerMailsSince(address: string, since: string): number {
    const row = this.sql("SELECT COUNT(*) AS n FROM outbox WHERE purpose = 'engineer' AND created_at >= ? AND envelope_to LIKE ?").get(
      since,
      `%"${address.toLowerCase()}"%`,
    ) as Row;
    return Number(row.n);
  }

  draftByMessageId(messageId: string): StoredDraft | null {
    const row = this.sql('SELECT * FROM drafts WHERE message_id = ?').get(messageId) as Row | undefined;
    return row ? toDraft(row) : null;
  }

  draftsWithStatus(status: DraftStatus): StoredDraft[] {
    return (this.sql('SELECT * FROM drafts WHERE status = ? ORDER BY id').all(status) as Row[]).map(toDraft);
  }

  unfinishedDrafts(placeholder: string): StoredDraft[] {
    return (
      this.sql(`SELECT * FROM drafts WHERE status IN ('pending', 'appending', 'live') AND instr(body_text, ?) > 0 ORDER BY id`).all(
        placeholder,
      ) as Row[]
    ).map(toDraft);
  }

  setDraftStatus(id: number, status: DraftStatus, at: string): void {
    this.sql('UPDATE drafts SET status = ?, updated_at = ? WHERE id = ?').run(status, at, id);
  }

  quarantine(q: Omit<QuarantinedMail, 'id'>): number {
    return Number(
      this.sql('INSERT INTO quarantine (folder, mailbox_ref, message_id, reason, created_at) VALUES (?, ?, ?, ?, ?)').run(
        q.folder,
        q.mailboxRef,
        q.messageId,
        q.reason,
        q.createdAt,
      ).lastInsertRowid,
    );
  }

  quarantined(): QuarantinedMail[] {
    return (this.sql('SELECT * FROM quarantine WHERE released_at IS NULL ORDER BY id').all() as Row[]).map((r) => ({
      id: Number(r.id),
      folder: String(r.folder),
      mailboxRef: String(r.mailbox_ref),
      messageId: nullable(r.message_id),
      reason: String(r.reason),
      createdAt: String(r.created_at),
    }));
  }

  releaseQuarantine(id: number, at: string): void {
    this.sql('UPDATE quarantine SET released_at = ? WHERE id = ?').run(at, id);
  }

  appendEvent(e: StoreEvent): void {
    this.sql('INSERT INTO events (at, case_id, message_id, actor, type, detail_json) VALUES (?, ?, ?, ?, ?, ?)').run(
      e.at,
      e.caseId,
      e.messageId,
      e.actor,
      e.type,
      JSON.stringify(e.detail),
    );
  }

  events(caseId: string | null): StoreEvent[] {
    const rows = (
      caseId === null
        ? this.sql('SELECT * FROM events ORDER BY id').all()
        : this.sql('SELECT * FROM events WHERE case_id = ? ORDER BY id').all(caseId)
    ) as Row[];
    return rows.map(eventOf);
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

function nullable(v: unknown): string | null {
  return v === null || v === undefined ? null : String(v);
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

function toDraft(row: Row): StoredDraft {
  return {
    id: Number(row.id),
    caseId: String(row.case_id),
    kind: String(row.kind) as DraftKind,
    messageId: String(row.message_id),
    basedOn: String(row.based_on),
    status: String(row.status) as DraftStatus,
    raw: row.raw as Buffer,
    bodyText: String(row.body_text ?? ''),
    createdAt: String(row.created_at),
  };
}

function toOutbox(row: Row): OutboxEntry {
  return {
    id: Number(row.id),
    messageId: String(row.message_id),
    purpose: row.purpose === 'engineer' ? 'engineer' : 'customer',
    caseId: row.case_id === null ? null : String(row.case_id),
    draftId: row.draft_id === null ? null : Number(row.draft_id),
    envelopeFrom: String(row.envelope_from),
    envelopeTo: JSON.parse(String(row.envelope_to)),
    raw: row.raw as Buffer,
    status: String(row.status) as OutboxStatus,
    attempts: Number(row.attempts),
    nextAttemptAt: String(row.next_attempt_at),
    lastError: row.last_error === null ? null : String(row.last_error),
  };
}

function eventOf(r: Row): StoreEvent {
  return {
    at: String(r.at),
    caseId: r.case_id === null ? null : String(r.case_id),
    messageId: r.message_id === null ? null : String(r.message_id),
    actor: String(r.actor),
    // What the store holds is what casebot wrote: one of EVENT_TYPES (an older one at worst, which labels show as is).
    type: String(r.type) as EventType,
    detail: JSON.parse(String(r.detail_json)),
  };
}
