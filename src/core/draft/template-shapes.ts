// What each template can read: a sample of the data it is rendered with, every optional part
// filled in, every list one element long. Typed as the real data, so a field added to a draft
// or the digest without a sample here does not compile; `checkTemplateSources` checks every
// template and partial against these before casebot runs one.

import type { DigestView } from '../digest/build-digest';
import type { DraftData } from './build-draft';
import { checkTemplate, type TemplateProblem } from './check-template';
import { PROBLEM_SAMPLES } from '../intake/problem';
import { DRAFT_TEMPLATES, type TemplateSources } from './templates';
import { TEXT_HELPERS } from './text-engine';

const LINES = { file: 'UpgradeLog\\setupact.log', lines: ['line'] };

export const DRAFT_SHAPE: DraftData = {
  salutation: '赵先生',
  team: { name: 'team', address: 'a@b', hotline: '400', website: 'w', product: 'V2020-L' },
  product: 'V2020-L',
  engineer: { name: 'n', address: 'a@b', title: 't' },
  portal: { name: 'CDUC', url: 'https://x' },
  collector: { name: 'c', download: 'd', attached: 'c.zip' },
  upload: { user: 'u', password: 'p' },
  caseId: 'CAS-1',
  title: 't',
  problem: 'p',
  findings: [
    {
      title: 't',
      summary: 's',
      why: 'w',
      files: [LINES],
      fix: [{ number: 1, ordinal: '一', text: 't', commands: ['c'] }],
      resolution: 'r',
      facts: {},
      sentCommands: ['c'],
    },
  ],
  followUp: { advised: 'a', customerSaid: 's', same: false },
  confirmed: true,
  consent: true,
  outcome: {
    codes: 'c',
    meaning: 'm',
    extendMeaning: 'e',
    files: [LINES],
    decisive: [LINES],
    collectNext: ['c'],
    lastStep: 's',
    lastAt: 'a',
  },
  certain: true,
  possibilities: [{ title: 't', why: 'w' }],
  problems: ['p'],
  intakeProblems: ['p'],
  reason: 'no-logs',
  engineerText: 'e',
  resolution: 'r',
};

const CASE_LINE = {
  caseId: 'c',
  subject: 's',
  customer: 'c',
  engineer: 'e',
  threadMessageId: 'm',
  finding: 'f',
  days: 1,
  since: 's',
  draft: 'd',
};
const EVENT_LINE = { at: 'a', caseId: 'c', what: 'w' };
const BAR = { label: 'l', count: 1, width: 100 };

export const DIGEST_SHAPE: DigestView = {
  date: 'd',
  scope: 's',
  counts: { open: 1, needsReply: 1, draftsAwaiting: 1, waiting: 1, overdue: 1, stale: 1, closed: 1, unmatched: 1, problems: 1 },
  needsReply: [CASE_LINE],
  draftsAwaiting: [CASE_LINE],
  waiting: [CASE_LINE],
  overdue: [CASE_LINE],
  stale: [CASE_LINE],
  closed: [CASE_LINE],
  unmatched: [EVENT_LINE],
  problems: [EVENT_LINE],
  problemKinds: [{ code: 'c', count: 1 }],
  adoption: [
    {
      kind: 'k',
      made: 1,
      asDrafted: 1,
      edited: 1,
      replaced: 1,
      discarded: 1,
      waiting: 1,
      widths: { asDrafted: 1, edited: 1, discarded: 1, rest: 1 },
    },
  ],
  signatures: [{ title: 't', count: 1, caseIds: 'c' }],
  ageChart: [BAR],
  categoryChart: [BAR],
};

/** Helpers each engine registers (text-engine.ts, render-digest.ts). */
const DRAFT_HELPERS = TEXT_HELPERS;
const DIGEST_HELPERS = ['gt'];
const DIGEST_TEMPLATES = ['digest-html', 'digest-text'];

/** Every template and partial, checked against what it is given; file names relative to the templates folder. */
export function checkTemplateSources(sources: TemplateSources): TemplateProblem[] {
  const partials = Object.fromEntries(
    Object.entries(sources.partials).map(([name, source]) => [name, { file: `partials/${name}.hbs`, source }]),
  );
  const problems: TemplateProblem[] = [];
  for (const [name, source] of Object.entries(sources.templates)) {
    const digest = DIGEST_TEMPLATES.includes(name);
    if (!digest && !(DRAFT_TEMPLATES as readonly string[]).includes(name)) continue;
    problems.push(
      ...checkTemplate(`${name}.hbs`, source, digest ? DIGEST_SHAPE : DRAFT_SHAPE, {
        partials,
        helpers: digest ? DIGEST_HELPERS : DRAFT_HELPERS,
      }),
    );
  }
  problems.push(...checkProblemTexts(sources.problems));
  // A partial no template calls still has to parse.
  for (const { file, source } of Object.values(partials))
    problems.push(...checkTemplate(file, source, null, { partials: {}, helpers: [] }).filter((p) => !p.message.startsWith('unknown')));
  const unique = new Map(problems.map((p) => [`${p.file}:${p.line}:${p.message}`, p]));
  return [...unique.values()].sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
}

/** problems.yaml: a sentence for every code, none for a code that does not exist, each checked against its code's fields. */
function checkProblemTexts(texts: Record<string, string>): TemplateProblem[] {
  const file = 'problems.yaml';
  const out: TemplateProblem[] = [];
  for (const code of Object.keys(PROBLEM_SAMPLES))
    if (!(code in texts)) out.push({ file, line: 1, message: `no sentence for problem code ${code}` });
  for (const [code, source] of Object.entries(texts)) {
    const sample = (PROBLEM_SAMPLES as Record<string, object>)[code];
    if (!sample) {
      out.push({ file, line: 1, message: `${code}: no such problem code (src/core/intake/problem.ts)` });
      continue;
    }
    const shape = { code, ...sample, portal: { name: 'p', url: 'u' } };
    out.push(...checkTemplate(`${file} ${code}`, source, shape, { partials: {}, helpers: TEXT_HELPERS }));
  }
  return out;
}
