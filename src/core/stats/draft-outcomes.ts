// What became of each draft, and what that says of casebot's usefulness: per draft kind and per
// analyzer rule, how many went out as drafted, after edits, were replaced or discarded, and how
// long they waited. Pure: the cases' events in (as the store keeps them), figures out. No
// customer text is ever in them; only casebot's own template sentences are named.

export type DraftOutcome = 'sent-as-drafted' | 'sent-edited' | 'replaced' | 'discarded' | 'waiting';

/** A draft that went out at least this close to what casebot wrote counts as sent as drafted. */
export const AS_DRAFTED_SIMILARITY = 0.9;

/** What an engineer changed before sending (see draft/edit-summary.ts). */
export interface DraftEdits {
  removed: number;
  added: number;
  commandsChanged: string[];
  templateSentences: string[];
}

/** A draft event of the store, with the fields of its detail that matter here. */
export interface DraftEvent {
  at: string;
  caseId: string;
  /** The draft's own Message-ID (created, deleted), the sent mail's (sent) or the command's (/discard). */
  messageId: string | null;
  type: string;
  kind: string | null;
  /** The draft a send or /discard is about. */
  draft: string | null;
  similarity: number | null;
  /** The rules behind a diagnosis (created). */
  findings: string[];
  edits: DraftEdits | null;
}

export interface DraftRecord {
  messageId: string;
  caseId: string;
  kind: string;
  /** The analyzer rules behind a diagnosis (its findings), in order. */
  rules: string[];
  createdAt: string;
  outcome: DraftOutcome;
  similarity: number | null;
  sentAt: string | null;
  /** What the engineer changed, for a draft sent after edits. */
  edits: DraftEdits | null;
}

/**
 * Each draft's outcome, from the events of its case in the order they were recorded. A send
 * wins over everything (a draft deleted from Drafts and then sent from Sent was sent); a newer
 * draft on the case replaces one still waiting; /discard, a deletion from Drafts, or the engineer
 * answering without it discards it.
 */
export function draftOutcomes(events: DraftEvent[]): DraftRecord[] {
  const drafts = new Map<string, DraftRecord>();
  const waitingOf = new Map<string, DraftRecord>();
  const settle = (d: DraftRecord | undefined, outcome: DraftOutcome) => {
    if (!d || d.outcome !== 'waiting') return;
    d.outcome = outcome;
    if (waitingOf.get(d.caseId) === d) waitingOf.delete(d.caseId);
  };
  for (const e of events) {
    switch (e.type) {
      case 'draft-created': {
        if (!e.messageId || drafts.has(e.messageId)) break;
        settle(waitingOf.get(e.caseId), 'replaced');
        const record: DraftRecord = {
          messageId: e.messageId,
          caseId: e.caseId,
          kind: e.kind ?? 'unknown',
          rules: e.findings,
          createdAt: e.at,
          outcome: 'waiting',
          similarity: null,
          sentAt: null,
          edits: null,
        };
        drafts.set(e.messageId, record);
        waitingOf.set(e.caseId, record);
        break;
      }
      case 'draft-sent': {
        const record = e.draft === null ? undefined : drafts.get(e.draft);
        if (!record || record.sentAt !== null) break;
        if (waitingOf.get(record.caseId) === record) waitingOf.delete(record.caseId);
        const similarity = e.similarity;
        record.outcome = similarity === null || similarity >= AS_DRAFTED_SIMILARITY ? 'sent-as-drafted' : 'sent-edited';
        record.similarity = similarity;
        record.sentAt = e.at;
        record.edits = record.outcome === 'sent-edited' ? e.edits : null;
        break;
      }
      case 'draft-discarded':
      case 'draft-deleted':
      case 'draft-retired':
        // /discard names the draft in its detail (its event is the command mail's); the others are the draft's own events.
        settle(
          e.draft !== null ? drafts.get(e.draft) : ((e.messageId ? drafts.get(e.messageId) : undefined) ?? waitingOf.get(e.caseId)),
          'discarded',
        );
        break;
    }
  }
  return [...drafts.values()];
}

/**
 * What casebot still has to do with its draft once a reply went out: sent as drafted (the same
 * Message-ID), nothing; sent as the engineer's own mail, its copy in Drafts must go ('edited').
 */
export function statusAfterSend(draftMessageId: string, sentMessageId: string): 'sent' | 'edited' {
  return draftMessageId === sentMessageId ? 'sent' : 'edited';
}

export interface OutcomeRow {
  /** The draft kind, or the rule behind a diagnosis. */
  label: string;
  made: number;
  asDrafted: number;
  edited: number;
  /** Median similarity of the drafts sent after edits. */
  editedSimilarity: number | null;
  replaced: number;
  discarded: number;
  waiting: number;
  /** Median hours from draft to send. */
  hoursToSend: number | null;
}

export interface RewrittenSentence {
  template: string;
  sentence: string;
  count: number;
}

export interface DraftStats {
  since: string;
  drafts: number;
  byKind: OutcomeRow[];
  byRule: OutcomeRow[];
  /** casebot's template sentences engineers most often delete or rewrite, most first. */
  rewritten: RewrittenSentence[];
}

/** Rewritten sentences listed per template. */
const TOP_SENTENCES = 5;

export function draftStats(records: DraftRecord[], since: string): DraftStats {
  const inRange = records.filter((r) => r.createdAt >= since);
  const byRule = new Map<string, DraftRecord[]>();
  for (const r of inRange) if (r.kind === 'diagnosis') for (const rule of new Set(r.rules)) pushTo(byRule, rule, r);
  const rewritten = new Map<string, RewrittenSentence>();
  for (const r of inRange) {
    for (const sentence of r.edits?.templateSentences ?? []) {
      const key = `${r.kind}\n${sentence}`;
      const row = rewritten.get(key) ?? { template: r.kind, sentence, count: 0 };
      row.count++;
      rewritten.set(key, row);
    }
  }
  const perTemplate = new Map<string, RewrittenSentence[]>();
  for (const row of [...rewritten.values()].sort((a, b) => b.count - a.count || a.sentence.localeCompare(b.sentence))) {
    const list = perTemplate.get(row.template) ?? [];
    if (list.length < TOP_SENTENCES) list.push(row);
    perTemplate.set(row.template, list);
  }
  return {
    since,
    drafts: inRange.length,
    byKind: groupRows(inRange, (r) => r.kind),
    byRule: [...byRule].map(([rule, rs]) => outcomeRow(rule, rs)).sort((a, b) => b.made - a.made || a.label.localeCompare(b.label)),
    rewritten: [...perTemplate.values()].flat(),
  };
}

function groupRows(records: DraftRecord[], key: (r: DraftRecord) => string): OutcomeRow[] {
  const groups = new Map<string, DraftRecord[]>();
  for (const r of records) pushTo(groups, key(r), r);
  return [...groups].map(([label, rs]) => outcomeRow(label, rs)).sort((a, b) => b.made - a.made || a.label.localeCompare(b.label));
}

function outcomeRow(label: string, records: DraftRecord[]): OutcomeRow {
  const count: Record<DraftOutcome, number> = { 'sent-as-drafted': 0, 'sent-edited': 0, replaced: 0, discarded: 0, waiting: 0 };
  const edited: number[] = [];
  const hours: number[] = [];
  // One pass: tens of thousands of drafts.
  for (const r of records) {
    count[r.outcome]++;
    if (r.outcome === 'sent-edited' && r.similarity !== null) edited.push(r.similarity);
    if (r.sentAt !== null) hours.push((Date.parse(r.sentAt) - Date.parse(r.createdAt)) / 3600000);
  }
  return {
    label,
    made: records.length,
    asDrafted: count['sent-as-drafted'],
    edited: count['sent-edited'],
    editedSimilarity: median(edited),
    replaced: count.replaced,
    discarded: count.discarded,
    waiting: count.waiting,
    hoursToSend: median(hours),
  };
}

function pushTo<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** `30d`, `12h`, `2w` → the ISO time that long before `now`. */
export function sinceOf(spec: string, now: Date): string | null {
  const m = /^(\d+)\s*([hdw])$/i.exec(spec.trim());
  if (!m) return null;
  const hours = Number(m[1]) * { h: 1, d: 24, w: 168 }[m[2]!.toLowerCase() as 'h' | 'd' | 'w'];
  return new Date(now.getTime() - hours * 3600000).toISOString();
}

/** The figures as plain-text tables for the CLI (English, as the CLI is). */
export function statsTable(stats: DraftStats): string {
  const pct = (n: number, of: number) => (of === 0 ? '' : ` ${String(Math.round((100 * n) / of)).padStart(3)}%`);
  const header = ['', 'made', 'as drafted', 'edited', 'sim.', 'replaced', 'discarded', 'waiting', 'h to send'];
  const table = (title: string, rows: OutcomeRow[]) => {
    const body = rows.map((r) => [
      r.label,
      String(r.made),
      `${r.asDrafted}${pct(r.asDrafted, r.made)}`,
      `${r.edited}${pct(r.edited, r.made)}`,
      r.editedSimilarity === null ? '-' : r.editedSimilarity.toFixed(2),
      String(r.replaced),
      String(r.discarded),
      String(r.waiting),
      r.hoursToSend === null ? '-' : r.hoursToSend.toFixed(1),
    ]);
    const widths = header.map((h, i) => Math.max(i === 0 ? title.length : h.length, ...body.map((b) => b[i]!.length)));
    const line = (cells: string[]) =>
      cells
        .map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
        .join('  ')
        .trimEnd();
    return [line([title, ...header.slice(1)]), ...body.map(line)].join('\n');
  };
  const parts = [`Drafts since ${stats.since.slice(0, 10)}: ${stats.drafts}`, '', table('by kind', stats.byKind)];
  if (stats.byRule.length > 0) parts.push('', table('diagnoses by rule', stats.byRule));
  if (stats.rewritten.length > 0) {
    parts.push('', 'template sentences most often deleted or rewritten:');
    for (const r of stats.rewritten) parts.push(`  ${String(r.count).padStart(3)}  ${r.template}: ${r.sentence}`);
  }
  return `${parts.join('\n')}\n`;
}
