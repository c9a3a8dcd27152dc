// A store with a case in every state the digest knows, at known times before `now`.

import type { SqliteCaseStore } from '../../src/adapters/sqlite/sqlite-store';
import type { Analysis } from '../../src/core/types';
import { parsedMail } from './parsed-mail';
import type { CaseEvent, EventType } from '../../src/core/types';

const DAY = 86400000;

export function seedDigestStore(store: SqliteCaseStore, now: Date): void {
  const ago = (days: number) => new Date(now.getTime() - days * DAY).toISOString();
  let n = 0;
  const mail = (caseId: string, from: string) =>
    parsedMail({
      messageId: `m${++n}.${caseId}@example.cn`,
      subject: `回复: [案例号: ${caseId} ] % 某单位升级失败 %`,
      from: { name: '', address: from },
      date: now.toISOString(),
    });

  const add = (caseId: string, direction: 'inbound' | 'outbound', daysAgo: number) =>
    store.insertMessage(
      {
        mail: mail(caseId, direction === 'inbound' ? 'kehu@example.cn' : 'weiliang@cmgos.com'),
        caseId,
        folder: 'inbox',
        mailboxRef: '{}',
        arrivedAt: ago(daysAgo),
        direction,
        successReport: false,
        logAttachments: 0,
        intakeProblems: [],
      },
      ago(daysAgo),
    );
  const open = (caseId: string, startedDaysAgo: number) => {
    store.createCase(
      {
        caseId,
        subject: `[案例号: ${caseId} ] % 某单位升级失败 %`,
        title: '某单位升级失败',
        customer: '某单位',
        engineer: 'weiliang@cmgos.com',
      },
      ago(startedDaysAgo),
    );
    add(caseId, 'inbound', startedDaysAgo);
  };

  open('CAS-00001-NEEDSR', 2); // the customer wrote last
  open('CAS-00002-DRAFTA', 1);
  const row = add('CAS-00002-DRAFTA', 'inbound', 1);
  const analysis: Analysis = {
    verdict: 'failed',
    outcome: null,
    scenario: null,
    attempts: [],
    findings: [
      {
        rule: 'bcd-clone-failure',
        category: 'boot',
        title: 'BCD 启动项 {x} 损坏',
        summary: '',
        confidence: 'high',
        confidenceWhy: '',
        basis: 'cause',
        evidence: [],
        facts: {},
        fix: [],
        actions: [],
        resolution: '',
      },
    ],
    errorLines: [],
    files: [],
    problems: [],
  };
  store.insertArtifact(row, 'CAS-00002-DRAFTA', { filename: 'logs.zip', sha256: 'x', size: 1, problems: [], analysis }, ago(1));
  store.drafts.insert({
    caseId: 'CAS-00002-DRAFTA',
    kind: 'diagnosis',
    messageId: 'draft.2@cmgos.com',
    basedOn: 'x',
    raw: Buffer.from('x'),
    bodyText: 'x',
    createdAt: new Date(now.getTime() - 5 * 3600000).toISOString(),
  });
  for (const [id, start, waited] of [
    ['CAS-00003-WAITIN', 3, 1],
    ['CAS-00004-REMIND', 8, 5],
    ['CAS-00005-SNOOZE', 9, 6],
    ['CAS-00006-STALEC', 30, 20],
  ] as const) {
    open(id, start);
    add(id, 'outbound', waited);
  }
  store.snooze('CAS-00005-SNOOZE', ago(-2));
  open('CAS-00007-CLOSED', 10);
  store.setCaseStatus('CAS-00007-CLOSED', 'closed', ago(0.5));
  open('CAS-00008-OLDCLO', 60);
  store.setCaseStatus('CAS-00008-OLDCLO', 'closed', ago(30));

  // Details as casebot writes them, or (the sentence problem below) as an older casebot did: not type-checked.
  const event = (type: EventType, caseId: string | null, detail: Record<string, unknown>) =>
    store.events.append({ at: ago(0.2), caseId, messageId: null, actor: 'kehu@example.cn', type, detail } as unknown as CaseEvent);
  event('mail-unmatched', null, { subject: '会议通知' });
  // One problem as an old database holds it (a sentence), one as a code.
  event('mail-received', 'CAS-00001-NEEDSR', {
    bundles: [
      { file: 'logs.7z', problems: ['附件 logs.7z 是 .7z 格式的压缩包'] },
      { file: 'secret.zip', problems: [{ code: 'ENCRYPTED', file: 'secret.zip', entry: null }] },
    ],
  });
  event('command-refused', 'CAS-00001-NEEDSR', { reason: '不是配置中的工程师' });
  event('send-failed', 'CAS-00003-WAITIN', { error: 'mailbox unavailable' });
}
