// A case's mail and view as the store hands them to the core, for unit tests: every field a
// plausible default, the test names only what it is about.

import type { CaseMessage, CaseView } from '../../src/core/case/case-view';

export function caseMessage(over: Partial<CaseMessage> = {}): CaseMessage {
  const at = over.arrivedAt ?? '2022-04-15T00:00:00Z';
  return {
    messageId: 'm@tj.icbc.example.cn',
    direction: 'inbound',
    arrivedAt: at,
    date: at,
    from: { name: '赵明', address: 'zhaoming@tj.icbc.example.cn' },
    to: [],
    cc: [],
    subject: '[案例号: CAS-06079-G5K3W1 ] x',
    references: [],
    text: '',
    sentDraftKind: null,
    successReport: false,
    machine: null,
    logAttachments: 0,
    intakeProblems: [],
    analysis: null,
    ...over,
  };
}

export function caseView(messages: CaseMessage[], over: Partial<CaseView> = {}): CaseView {
  return {
    caseId: 'CAS-06079-G5K3W1',
    subject: 's',
    title: '工行升级-天津分行升级报错回退分析',
    status: 'open',
    messages,
    liveDraft: null,
    statusCommands: [],
    notes: [],
    ...over,
  };
}
