// Versioned schema migrations, applied in order; PRAGMA user_version records the last one.
// Never edit a shipped migration: add the next one.

export const MIGRATIONS: string[] = [
  `
  CREATE TABLE cases (
    case_id     TEXT PRIMARY KEY,
    subject     TEXT NOT NULL,
    title       TEXT NOT NULL,
    customer    TEXT,
    engineer    TEXT NOT NULL,
    status      TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
    snoozed_until TEXT,
    closed_at   TEXT,
    -- Kept up to date as mail is stored, so the digest reads one row per case.
    last_inbound_at  TEXT,
    last_outbound_at TEXT,
    top_finding TEXT,
    top_category TEXT,
    dirty       INTEGER NOT NULL DEFAULT 0,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
  );
  CREATE INDEX cases_dirty ON cases (dirty) WHERE dirty = 1;
  CREATE INDEX cases_status ON cases (status, engineer);

  CREATE TABLE messages (
    id              INTEGER PRIMARY KEY,
    message_id      TEXT NOT NULL UNIQUE,
    raw_hash        TEXT NOT NULL,
    case_id         TEXT REFERENCES cases (case_id),
    folder          TEXT NOT NULL,
    -- command: an engineer's mail to casebot, not part of the conversation with the customer.
    direction       TEXT NOT NULL CHECK (direction IN ('inbound', 'outbound', 'command')),
    mailbox_ref     TEXT,
    -- auto-reply, bulk, bounce, loop: machine mail, recorded but never answered.
    machine         TEXT,
    from_json       TEXT,
    from_address    TEXT,
    to_json         TEXT NOT NULL,
    cc_json         TEXT NOT NULL,
    subject         TEXT NOT NULL,
    date            TEXT NOT NULL,
    arrived_at      TEXT NOT NULL,
    in_reply_to     TEXT,
    references_json TEXT NOT NULL,
    body_text       TEXT NOT NULL,
    success_report  INTEGER NOT NULL DEFAULT 0,
    log_attachments INTEGER NOT NULL DEFAULT 0,
    intake_problems TEXT NOT NULL DEFAULT '[]',
    received_at     TEXT NOT NULL
  );
  CREATE INDEX messages_case ON messages (case_id, arrived_at);
  CREATE INDEX messages_sender ON messages (from_address, received_at);

  CREATE TABLE artifacts (
    id          INTEGER PRIMARY KEY,
    message_row INTEGER NOT NULL REFERENCES messages (id),
    case_id     TEXT NOT NULL REFERENCES cases (case_id),
    filename    TEXT NOT NULL,
    sha256      TEXT NOT NULL,
    size        INTEGER NOT NULL,
    problems    TEXT NOT NULL DEFAULT '[]',
    created_at  TEXT NOT NULL
  );
  CREATE INDEX artifacts_sha ON artifacts (sha256);

  CREATE TABLE analyses (
    id          INTEGER PRIMARY KEY,
    artifact_id INTEGER NOT NULL REFERENCES artifacts (id),
    case_id     TEXT NOT NULL REFERENCES cases (case_id),
    message_row INTEGER NOT NULL REFERENCES messages (id),
    verdict     TEXT NOT NULL,
    story_json  TEXT NOT NULL,
    files_json  TEXT NOT NULL,
    problems    TEXT NOT NULL,
    created_at  TEXT NOT NULL
  );
  CREATE INDEX analyses_message ON analyses (message_row);

  CREATE TABLE findings (
    id          INTEGER PRIMARY KEY,
    analysis_id INTEGER NOT NULL REFERENCES analyses (id),
    position    INTEGER NOT NULL,
    rule        TEXT NOT NULL,
    category    TEXT NOT NULL,
    title       TEXT NOT NULL,
    summary     TEXT NOT NULL,
    confidence  TEXT NOT NULL,
    confidence_why TEXT NOT NULL,
    facts_json  TEXT NOT NULL,
    evidence_json TEXT NOT NULL,
    fix_json    TEXT NOT NULL,
    resolution  TEXT NOT NULL
  );
  CREATE INDEX findings_analysis ON findings (analysis_id, position);

  CREATE TABLE drafts (
    id          INTEGER PRIMARY KEY,
    case_id     TEXT NOT NULL REFERENCES cases (case_id),
    kind        TEXT NOT NULL,
    message_id  TEXT NOT NULL UNIQUE,
    based_on    TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('pending', 'appending', 'live', 'sent', 'edited', 'retiring', 'retired')),
    raw         BLOB NOT NULL,
    body_text   TEXT NOT NULL DEFAULT '',
    -- What the customer was actually sent, and how close it is to the draft (1 = unchanged).
    sent_message_id TEXT,
    similarity  REAL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
  );
  -- One live draft per case: at most one row that is pending or live.
  CREATE UNIQUE INDEX drafts_one_live ON drafts (case_id) WHERE status IN ('pending', 'appending', 'live');

  -- Every mail casebot sends goes here first, committed, before SMTP sees it.
  CREATE TABLE outbox (
    id          INTEGER PRIMARY KEY,
    message_id  TEXT NOT NULL UNIQUE,
    purpose     TEXT NOT NULL CHECK (purpose IN ('customer', 'engineer')),
    case_id     TEXT,
    draft_id    INTEGER REFERENCES drafts (id),
    envelope_from TEXT NOT NULL,
    envelope_to TEXT NOT NULL,
    raw         BLOB NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('pending', 'sending', 'sent', 'failed')),
    attempts    INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    last_error  TEXT,
    created_at  TEXT NOT NULL,
    sent_at     TEXT
  );
  CREATE INDEX outbox_due ON outbox (status, next_attempt_at);

  -- Mail that failed or ran over its time budget: left in the mailbox, listed here to replay.
  CREATE TABLE quarantine (
    id          INTEGER PRIMARY KEY,
    folder      TEXT NOT NULL,
    mailbox_ref TEXT NOT NULL,
    message_id  TEXT,
    reason      TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    released_at TEXT
  );

  CREATE TABLE cursors (
    folder TEXT PRIMARY KEY,
    value  TEXT NOT NULL
  );

  CREATE TABLE events (
    id          INTEGER PRIMARY KEY,
    at          TEXT NOT NULL,
    case_id     TEXT,
    message_id  TEXT,
    actor       TEXT NOT NULL,
    type        TEXT NOT NULL,
    detail_json TEXT NOT NULL
  );
  CREATE INDEX events_case ON events (case_id, id);
  CREATE INDEX events_type ON events (type, at);

  -- One row per digest slot and recipient: a digest is sent once per slot, across restarts.
  CREATE TABLE digests (
    slot        TEXT NOT NULL,
    recipient   TEXT NOT NULL,
    message_id  TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    PRIMARY KEY (slot, recipient)
  );
  CREATE TRIGGER events_no_update BEFORE UPDATE ON events BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;
  CREATE TRIGGER events_no_delete BEFORE DELETE ON events BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;
  `,
  // Case memory: closed cases per finding, a full-text index over problem, findings and fix
  // (tokens made in TypeScript, space-joined; see src/core/memory/tokens.ts), and the
  // signatures open cases show.
  `
  CREATE TABLE memory_case (
    case_id     TEXT PRIMARY KEY,
    subject     TEXT NOT NULL,
    closed_at   TEXT NOT NULL,
    problem     TEXT NOT NULL,
    fix_text    TEXT,
    useful      INTEGER NOT NULL DEFAULT 0,
    not_useful  INTEGER NOT NULL DEFAULT 0,
    remembered_at TEXT NOT NULL
  );

  CREATE TABLE memory_finding (
    case_id     TEXT NOT NULL REFERENCES memory_case (case_id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    rule        TEXT,
    key         TEXT,
    title       TEXT NOT NULL,
    codes_json  TEXT NOT NULL,
    entities_json TEXT NOT NULL,
    templates_json TEXT NOT NULL,
    advice_json TEXT NOT NULL,
    advice_given INTEGER NOT NULL,
    outcome     TEXT NOT NULL CHECK (outcome IN ('fixed_confirmed', 'fixed_unconfirmed', 'workaround', 'no_fix', 'unknown')),
    PRIMARY KEY (case_id, position)
  );
  CREATE INDEX memory_finding_key ON memory_finding (key);

  -- rowid = memory_case.rowid. text: problem, findings, fix; signature: key, code, entity and template terms.
  CREATE VIRTUAL TABLE memory_fts USING fts5 (text, signature, tokenize = 'unicode61');
  CREATE VIRTUAL TABLE memory_terms USING fts5vocab (memory_fts, 'row');

  CREATE TABLE memory_normal_template (template TEXT PRIMARY KEY);

  CREATE TABLE memory_signature (
    case_id     TEXT NOT NULL,
    key         TEXT NOT NULL,
    title       TEXT NOT NULL,
    seen_at     TEXT NOT NULL,
    PRIMARY KEY (case_id, key)
  );
  CREATE INDEX memory_signature_key ON memory_signature (key, seen_at);
  `,
  `
  -- How many remembered cases hold each search term, kept by the memory store as it writes
  -- memory_fts: one B-tree lookup per term, where the fts5vocab table costs a scan of the term's
  -- index segment.
  CREATE TABLE memory_term (term TEXT PRIMARY KEY, docs INTEGER NOT NULL) WITHOUT ROWID;
  INSERT INTO memory_term (term, docs) SELECT term, doc FROM memory_terms;
  `,
  `
  -- What a finding rests on: evidence of the cause itself, or only the run's result codes.
  ALTER TABLE findings ADD COLUMN basis TEXT NOT NULL DEFAULT 'cause' CHECK (basis IN ('cause', 'outcome'));
  `,
  `
  -- The draft events \`casebot stats\` and the digest read, in one covering index: tens of thousands
  -- of them are read without a lookup into the events table each.
  CREATE INDEX events_drafts ON events (at, case_id, message_id, type, detail_json)
   WHERE type IN ('draft-created', 'draft-sent', 'draft-discarded', 'draft-deleted', 'draft-retired');
  `,
  `
  -- Which draft a sent mail was, when the engineer sent it as their own mail: looked up for
  -- every mail that went out each time a case is read.
  CREATE INDEX drafts_sent ON drafts (sent_message_id) WHERE sent_message_id IS NOT NULL;
  `,
  `
  -- A remembered generic profile (a fallback rule) is compared by outcome alone, as it was when
  -- remembered. Cases remembered before this read as specific until \`casebot learn\` remembers them again.
  ALTER TABLE memory_finding ADD COLUMN generic INTEGER NOT NULL DEFAULT 0 CHECK (generic IN (0, 1));
  `,
];
