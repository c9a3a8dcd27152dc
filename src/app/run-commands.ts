// Carries out an engineer's slash-commands, after proving the mail is really theirs. Anyone
// else's command changes nothing: it is recorded and the case's engineer is told.

import { authorizeSender, parseAuthenticationResults, type AuthVerdicts } from '../core/commands/authorize-sender';
import { commandResultNotice, refusalNotice, statusNotice } from '../core/commands/engineer-notice';
import { eventLabel } from '../core/commands/event-view';
import { helpText, type Command, type ParsedCommands } from '../core/commands/parse-commands';
import { closureAlreadySent } from '../core/case/case-state';
import type { CaseView } from '../core/case/case-view';
import { describeProblems } from '../core/draft/templates';
import type { ParsedMail } from '../core/types';
import type { MailRef } from '../ports/mailbox';
import type { NewArtifact, CaseStore } from '../ports/case-store';
import type { CasebotDeps, PassReport } from './casebot-deps';
import { draftCase, type DraftCaseDeps } from './draft-case';
import { isUnfinished, PLACEHOLDER } from '../core/draft/build-draft';
import { queueDigest, type SendDigestDeps } from './send-digest';
import { mailEngineer, type EngineerMailDeps } from './engineer-mail';
import { rememberIfClosed, type CaseMemoryDeps } from './case-memory';
import { distinctFindings, findingByName } from '../core/memory/remember';
import { findCaseId } from '../core/case/case-id';
import { readBundles, type ReadBundlesDeps } from './read-bundles';
import { engineerFor, customerOf } from './team-settings';
import { caseEvent } from '../core/case/case-event';
import type { EventDetails, EventType } from '../core/types';

/** What this module uses of casebot's dependencies (the composition root passes them all). */
export type RunCommandsDeps = Pick<
  CasebotDeps,
  'clock' | 'codec' | 'commands' | 'knowledge' | 'log' | 'mailbox' | 'memory' | 'render' | 'sender' | 'settings' | 'verifier'
> & {
  store: Pick<
    CaseStore,
    | 'drafts'
    | 'events'
    | 'getCase'
    | 'insertArtifact'
    | 'latestLogMessage'
    | 'loadAnalysis'
    | 'loadCaseView'
    | 'mailboxRef'
    | 'markDirty'
    | 'messageRowId'
    | 'outbox'
    | 'setCaseStatus'
    | 'snooze'
    | 'transaction'
  >;
} & CaseMemoryDeps &
  DraftCaseDeps &
  EngineerMailDeps &
  ReadBundlesDeps &
  SendDigestDeps;

export interface CommandMail {
  mail: ParsedMail;
  raw: Buffer;
  caseId: string | null;
  parsed: ParsedCommands;
}

/** Whether the sender is one of our engineers at all (then the mail is a command, not conversation). */
export function isEngineer(deps: RunCommandsDeps, address: string | undefined): boolean {
  return deps.settings.engineers.some((e) => e.address.toLowerCase() === (address ?? '').toLowerCase());
}

export async function runCommands(deps: RunCommandsDeps, cmd: CommandMail, report: PassReport): Promise<void> {
  const { store, mail } = { store: deps.store, mail: cmd.mail };
  const at = deps.clock().toISOString();
  const actor = mail.from?.address ?? 'unknown';
  const verdicts: AuthVerdicts[] = parseAuthenticationResults(mail.authResults, deps.commands.trustedAuthservIds);
  if (deps.verifier) verdicts.push(await deps.verifier.verify(cmd.raw));
  const auth = authorizeSender(
    mail.from?.address ?? null,
    deps.settings.engineers.map((e) => e.address),
    verdicts,
  );
  const caseId = cmd.caseId && store.getCase(cmd.caseId) ? cmd.caseId : null;

  if (!auth.allowed) {
    store.events.append({
      at,
      caseId,
      messageId: mail.messageId,
      actor,
      type: 'command-refused',
      detail: { reason: auth.reason, subject: mail.subject },
    });
    const engineer = caseId
      ? store.getCase(caseId)!.engineer
      : engineerFor(deps.settings, customerOf(deps.settings, mail.from ? [mail.from] : [])).address;
    await mailEngineer(deps, engineer, caseId, refusalNotice(caseId, actor, mail.subject, auth.reason), null);
    deps.log.warn('command refused', { from: actor, caseId, reason: auth.reason });
    return;
  }

  const results: string[] = [];
  const errors = [...cmd.parsed.errors];
  let status: ReturnType<typeof statusNotice> | null = null;
  for (const command of cmd.parsed.commands) {
    report.commands++;
    store.events.append({
      at,
      caseId,
      messageId: mail.messageId,
      actor,
      type: 'command',
      detail: { name: command.name, arg: command.arg, proof: auth.proof },
    });
    if (command.name === 'help' || command.name === 'digest') {
      // Not about one case.
      results.push(String(await runOne(deps, command, caseId ?? '', mail, actor, report)));
      continue;
    }
    if (!caseId) {
      errors.push(`/${command.name}：邮件主题或引用中没有已知的案例号`);
      continue;
    }
    try {
      const outcome = await runOne(deps, command, caseId, mail, actor, report);
      if (typeof outcome === 'string') results.push(outcome);
      else status = outcome;
    } catch (err) {
      errors.push(`/${command.name} 失败：${(err as Error).message}`);
    }
  }
  const reply = commandResultNotice(caseId, results, errors);
  if (status) {
    reply.subject = status.subject;
    reply.text = `${status.text}${results.length + errors.length > 0 ? `\n${reply.text}` : ''}`;
  }
  await mailEngineer(deps, actor, caseId, reply, mail.messageId);
}

async function runOne(
  deps: RunCommandsDeps,
  command: Command,
  caseId: string,
  mail: ParsedMail,
  actor: string,
  report: PassReport,
): Promise<string | ReturnType<typeof statusNotice>> {
  const { store } = deps;
  const at = deps.clock().toISOString();
  const event = <T extends EventType>(type: T, detail: EventDetails[T]) =>
    store.events.append(caseEvent({ at, caseId, messageId: mail.messageId, actor, type, detail }));
  const view = () => store.loadCaseView(caseId);
  const order = (
    v: CaseView,
    kind: 'scope-request' | 'log-rerequest' | 'closure' | 'diagnosis',
    extra: { analysisId?: number | null; engineerText?: string } = {},
  ) => {
    const basedOn = latestInbound(v);
    const analysis = extra.analysisId ? store.loadAnalysis(extra.analysisId) : null;
    return draftCase(
      deps,
      v,
      {
        request: {
          kind,
          basedOn,
          analysis,
          rerequestReason: kind === 'log-rerequest' ? 'engineer' : null,
          ...(extra.engineerText ? { engineerText: extra.engineerText } : {}),
          variant: mail.messageId,
        },
        replaces: null,
        reason: `/${command.name} from ${actor}`,
        actor,
      },
      report,
    );
  };

  switch (command.name) {
    case 'scope':
      await order(view(), 'scope-request');
      return '已生成问题范围界定草稿';
    case 'logs':
      await order(view(), 'log-rerequest', { engineerText: command.arg });
      return '已生成重新收集日志的草稿';
    case 'diagnose': {
      const analysisId = await reanalyze(deps, caseId);
      const v = view();
      const analysis = store.loadAnalysis(analysisId);
      if (analysis && analysis.findings.length > 0) {
        await order(v, 'diagnosis', { analysisId });
        return `已重新分析，找到 ${analysis.findings.length} 个问题，已生成诊断草稿`;
      }
      await order(v, 'log-rerequest', { engineerText: '重新分析了您上传的日志，没有找到已知的升级失败原因，需要更完整的日志。' });
      return '已重新分析，没有找到已知原因，已生成重新收集日志的草稿';
    }
    case 'close': {
      const v = view();
      // The closure already went out (casebot's or the engineer's own): a second would repeat it.
      const sent = closureAlreadySent(v);
      if (!sent) {
        const diagnosed = [...v.messages].reverse().find((m) => (m.analysis?.findings.length ?? 0) > 0);
        await order(v, 'closure', { analysisId: diagnosed?.analysis?.id ?? null, engineerText: command.arg });
      }
      store.transaction(() => {
        store.setCaseStatus(caseId, 'closed', at);
        event('case-closed', { summary: command.arg });
      });
      rememberIfClosed(deps, caseId);
      return sent ? '结案邮件已经发出，没有再生成结案草稿；案例已标记为结案' : '已生成结案总结草稿，案例已标记为结案';
    }
    case 'send': {
      const draft = store.drafts.live(caseId);
      if (!draft) throw new Error('没有待发送的草稿');
      if (isUnfinished(draft.bodyText))
        throw new Error(`草稿中还有待工程师填写的内容（${PLACEHOLDER}…】），请在草稿箱中补全后从邮件客户端发送`);
      if (!deps.sender) throw new Error('没有配置 SMTP 服务器，无法发送');
      const parsed = await deps.codec.parse(draft.raw, deps.clock());
      const to = [...parsed.to, ...parsed.cc].map((a) => a.address);
      store.transaction(() => {
        if (!store.outbox.byMessageId(draft.messageId)) {
          store.outbox.enqueue(
            {
              messageId: draft.messageId,
              purpose: 'customer',
              caseId,
              draftId: draft.id,
              envelopeFrom: parsed.from?.address ?? actor,
              envelopeTo: to,
              raw: draft.raw,
              nextAttemptAt: at,
            },
            at,
          );
        }
        event('send-queued', { kind: draft.kind, to });
      });
      return `草稿（${draft.kind}）已进入发送队列：${to.join(', ')}`;
    }
    case 'discard': {
      const draft = store.drafts.live(caseId);
      if (!draft) throw new Error('没有待发送的草稿');
      store.transaction(() => {
        store.drafts.setStatus(draft.id, 'retiring', at);
        event('draft-discarded', { kind: draft.kind, draft: draft.messageId });
      });
      return '草稿已丢弃';
    }
    case 'status': {
      const summary = store.getCase(caseId)!;
      const timeline = store.events.list(caseId).map((e) => ({ at: e.at, label: eventLabel(e) }));
      const latest = [...view().messages].reverse().find((m) => m.analysis);
      const findings = latest?.analysis?.findings.map((f) => `${f.title}（${f.rule}，可信度 ${f.confidence}）`) ?? [];
      return statusNotice(caseId, summary.subject, summary.status, timeline, findings);
    }
    case 'note':
      event('note', { text: command.arg });
      return '备注已记录';
    case 'snooze': {
      const until = new Date(deps.clock().getTime() + (command.days ?? 1) * 86400000).toISOString();
      store.transaction(() => {
        store.snooze(caseId, until);
        event('case-snoozed', { until });
      });
      return `提醒已暂停到 ${until.slice(0, 10)}`;
    }
    case 'reopen':
      store.transaction(() => {
        store.setCaseStatus(caseId, 'open', at);
        store.snooze(caseId, null);
        store.markDirty(caseId);
        event('case-reopened', {});
      });
      return '案例已重新打开';
    case 'fixed-by': {
      const findings = distinctFindings(
        view().messages.flatMap((m) => (m.analysis ? [m.analysis] : [])),
        deps.knowledge,
      ).map((f) => f.fingerprint);
      const i = findingByName(command.arg, findings);
      if (i < 0)
        throw new Error(
          `本案例的分析结果中没有“${command.arg}”；可用：${findings.map((f, n) => `${n + 1}. ${f.rule ?? f.title}`).join('，') || '（没有分析结果）'}`,
        );
      event('fixed-by', { finding: command.arg, rule: findings[i]!.rule, key: findings[i]!.key });
      const remembered = rememberIfClosed(deps, caseId);
      return `已记录：${findings[i]!.title} 的修复解决了问题${remembered ? `（案例记忆已更新，结果 ${remembered.findings[i]?.outcome}）` : '（结案时记入案例记忆）'}`;
    }
    case 'useful':
    case 'notuseful': {
      const about = findCaseId(command.arg);
      const useful = command.name === 'useful';
      if (!about || !deps.memory.feedback(about, useful)) throw new Error(`案例记忆中没有 ${command.arg}`);
      event('memory-feedback', { about, useful });
      return `已记录：相似案例 ${about} ${useful ? '有用' : '没用'}，以后的推荐会参考`;
    }
    case 'help':
      return `可用的命令：\n${helpText()}`;
    case 'digest':
      await queueDigest(deps, actor, actor, null);
      return '每日摘要已进入发送队列';
  }
}

function latestInbound(view: CaseView): string {
  const inbound = [...view.messages].reverse().find((m) => m.direction === 'inbound');
  if (!inbound) throw new Error('案例中还没有客户的邮件');
  return inbound.messageId;
}

/** Reads the newest bundle again from the mail that carried it, and analyzes it anew. */
async function reanalyze(deps: RunCommandsDeps, caseId: string): Promise<number> {
  const { store } = deps;
  const messageId = store.latestLogMessage(caseId);
  const ref = messageId ? store.mailboxRef(messageId) : null;
  if (!messageId || !ref) throw new Error('案例中没有带日志的邮件');
  const raw = await deps.mailbox.fetchRaw(JSON.parse(ref) as MailRef);
  const mail = await deps.codec.parse(raw, deps.clock());
  let artifacts: NewArtifact[];
  try {
    ({ artifacts } = await readBundles(deps, mail, caseId, { fresh: true }));
  } finally {
    deps.codec.release(mail);
  }
  const row = store.messageRowId(messageId)!;
  const at = deps.clock().toISOString();
  store.transaction(() => {
    for (const a of artifacts) store.insertArtifact(row, caseId, a, at);
  });
  const view = store.loadCaseView(caseId);
  const analysis = view.messages.find((m) => m.messageId === messageId)?.analysis;
  if (!analysis) {
    const describe = describeProblems(deps.render, deps.settings.portal);
    throw new Error('日志无法读取：' + artifacts.flatMap((a) => a.problems.map(describe)).join('；'));
  }
  return analysis.id;
}
