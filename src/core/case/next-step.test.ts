import type { Analysis } from '../types';
import { caseMessage, caseView } from '../../../test/helpers/case-view';
import type { CaseMessage, CaseView } from './case-view';
import { decideNextStep } from './next-step';

const customer = { name: '赵明', address: 'zhaoming@tj.icbc.example.cn' };
const engineer = { name: 'Wei Liang', address: 'weiliang@cmgos.com' };

function msg(id: string, day: number, over: Partial<CaseMessage> = {}): CaseMessage {
  return caseMessage({
    messageId: id,
    arrivedAt: `2022-04-${String(day).padStart(2, '0')}T08:00:00.000Z`,
    from: customer,
    to: [engineer],
    ...over,
  });
}

const diagnosed = (id: number): Analysis & { id: number } => ({
  id,
  verdict: 'failed',
  outcome: null,
  findings: [
    {
      rule: 'bcd-clone-failure',
      category: 'boot',
      title: 't',
      summary: 's',
      confidence: 'high',
      confidenceWhy: '',
      basis: 'cause',
      evidence: [],
      facts: {},
      fix: [],
      actions: [],
      resolution: 'r',
    },
  ],
  scenario: null,
  attempts: [],
  errorLines: [],
  files: [],
  problems: [],
});
const nothingFound = (id: number): Analysis & { id: number } => ({
  id,
  verdict: 'unknown',
  outcome: null,
  scenario: null,
  attempts: [],
  findings: [],
  errorLines: [],
  files: [],
  problems: [{ code: 'CAUSE_UNKNOWN' }],
});

const view = (messages: CaseMessage[], liveDraft: CaseView['liveDraft'] = null): CaseView => caseView(messages, { liveDraft });

test('a new case without logs gets the scope definition and log request', () => {
  expect(decideNextStep(view([msg('a', 15)]))).toMatchObject({ action: 'draft', kind: 'scope-request', basedOn: 'a' });
});

test('logs with a finding get a diagnosis built from that analysis', () => {
  const d = decideNextStep(
    view([
      msg('a', 15),
      msg('o', 15, { direction: 'outbound', from: engineer }),
      msg('b', 19, { logAttachments: 1, analysis: diagnosed(7) }),
    ]),
  );
  expect(d).toMatchObject({ action: 'draft', kind: 'diagnosis', basedOn: 'b', analysisId: 7 });
});

test('logs without a finding, or unreadable, get a new log request that says why', () => {
  const base = [msg('a', 15), msg('o', 15, { direction: 'outbound', from: engineer })];
  expect(decideNextStep(view([...base, msg('b', 19, { logAttachments: 1, analysis: nothingFound(3) })]))).toMatchObject({
    kind: 'log-rerequest',
    rerequestReason: 'no-finding',
  });
  expect(
    decideNextStep(
      view([...base, msg('b', 19, { logAttachments: 1, intakeProblems: [{ code: 'ARCHIVE_CORRUPT', file: 'logs.zip', format: 'zip' }] })]),
    ),
  ).toMatchObject({
    kind: 'log-rerequest',
    rerequestReason: 'unreadable',
  });
});

test('a reply without logs after a diagnosis asks for fresh logs', () => {
  const d = decideNextStep(
    view([
      msg('a', 15),
      msg('b', 16, { logAttachments: 1, analysis: diagnosed(1) }),
      msg('o', 19, { direction: 'outbound', from: engineer }),
      msg('c', 21),
    ]),
  );
  expect(d).toMatchObject({ kind: 'log-rerequest', rerequestReason: 'fix-did-not-work', basedOn: 'c' });
});

test('a success report closes with the last diagnosis', () => {
  const d = decideNextStep(
    view([
      msg('a', 15),
      msg('b', 16, { logAttachments: 1, analysis: diagnosed(1) }),
      msg('c', 20, { logAttachments: 1, analysis: diagnosed(2) }),
      msg('o', 25, { direction: 'outbound', from: engineer }),
      msg('d', 27, { successReport: true }),
    ]),
  );
  expect(d).toMatchObject({ action: 'draft', kind: 'closure', analysisId: 2 });
});

test('waiting on the customer: nothing to do', () => {
  expect(decideNextStep(view([msg('a', 15), msg('o', 16, { direction: 'outbound', from: engineer })]))).toMatchObject({ action: 'none' });
});

test('an existing draft for the latest mail is not made again', () => {
  const live = { id: 4, kind: 'scope-request' as const, messageId: 'x', basedOn: 'a', createdAt: '2026-01-01T00:00:00.000Z' };
  expect(decideNextStep(view([msg('a', 15)], live))).toMatchObject({ action: 'none' });
});

test('a newer customer mail replaces the unsent draft', () => {
  const live = { id: 4, kind: 'scope-request' as const, messageId: 'x', basedOn: 'a', createdAt: '2026-01-01T00:00:00.000Z' };
  expect(decideNextStep(view([msg('a', 15), msg('b', 16, { logAttachments: 1, analysis: diagnosed(9) })], live))).toMatchObject({
    action: 'draft',
    kind: 'diagnosis',
    replaces: 4,
  });
});

test('an engineer reply makes the unsent draft stale', () => {
  const live = { id: 4, kind: 'scope-request' as const, messageId: 'x', basedOn: 'a', createdAt: '2026-01-01T00:00:00.000Z' };
  expect(decideNextStep(view([msg('a', 15), msg('o', 16, { direction: 'outbound', from: engineer })], live))).toMatchObject({
    action: 'retire-draft',
    draftId: 4,
  });
});
