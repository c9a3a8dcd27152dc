// The analysis as an engineer reads it (Chinese text, or Markdown to paste into a case) and
// as tools read it (the stable JSON shape documented in the README).

import type { DescribeProblem } from '../draft/templates';
import type { Analysis, Evidence } from '../types';

const VERDICT_TEXT: Record<Analysis['verdict'], string> = {
  failed: '升级失败',
  succeeded: '升级成功',
  unknown: '无法判断',
  cancelled: '用户取消了升级',
  incomplete: '日志不完整（在升级过程中中断）',
  'not-upgrade': '不是升级日志',
  'not-setup-log': '不是安装日志',
};

const CONFIDENCE_TEXT = { high: '高', medium: '中', low: '低' } as const;

export type ReportFormat = 'text' | 'md';

export function formatReport(analysis: Analysis, describe: DescribeProblem, format: ReportFormat = 'text'): string {
  const md = format === 'md';
  const h = (title: string) => (md ? `## ${title}` : `${title}：`);
  const code = (lines: string[]) => (md ? ['```', ...lines, '```'] : lines.map((l) => `    ${l}`));
  const out: string[] = [];
  out.push(
    md
      ? `# 日志分析：${VERDICT_TEXT[analysis.verdict]}（${analysis.verdict}）`
      : `结论：${VERDICT_TEXT[analysis.verdict]}（${analysis.verdict}）`,
  );
  if (analysis.scenario) out.push('', `这不是升级日志，而是${analysis.scenario}。`);
  const o = analysis.outcome;
  if (o && (o.resultCode || o.lastAt || o.decisive.length > 0)) {
    out.push('', h('结果'));
    if (o.resultCode) {
      const extend = o.extendCode ? ` - ${o.extendCode}${o.extendMeaning ? `（${o.extendMeaning}）` : ''}` : '';
      out.push(`${md ? '' : '  '}${o.resultCode}${o.resultMeaning ? `（${o.resultMeaning}）` : ''}${extend}`);
    }
    if (o.lastAt) out.push(`${md ? '' : '  '}运行没有结束：最后在 ${o.lastStep ?? '未知阶段'}，${o.lastAt}`);
    if (o.evidence.length > 0) out.push(...code(evidenceLines(o.evidence)));
    if (o.decisive.length > 0) out.push(md ? '\n决定性的错误：' : '  决定性的错误：', ...code(evidenceLines(o.decisive)));
  }

  if (analysis.attempts.length > 0) {
    out.push('', h('升级过程'));
    analysis.attempts.forEach((a, i) => {
      const codes = a.resultCode
        ? `${a.resultCode}${a.extendCode ? ` - ${a.extendCode}` : ''}${a.extendPhase ? `（${a.extendPhase}，${a.extendOperation ?? ''}）` : ''}`
        : '';
      const parts = [
        `${a.hostBuild ?? '?'} → ${a.targetBuild ?? '?'}`,
        `${a.start ?? '?'} ~ ${a.end ?? '?'}`,
        a.phase ? `阶段 ${a.phase}` : '',
        a.operation ? `操作 ${a.operation}` : '',
        codes ? `错误 ${codes}` : '',
        a.rollbacks ? `回退 ${a.rollbacks} 次` : '',
      ].filter(Boolean);
      out.push(`${md ? '-' : ' '} 第 ${i + 1} 次：${parts.join('；')}`);
    });
  }

  out.push('', h('文件'));
  for (const f of analysis.files) out.push(`${md ? '-' : ' '} ${winPath(f.path)}  [${f.kind}, ${f.encoding}, ${f.lines} 行]`);
  for (const p of analysis.problems) out.push('', `${md ? '> ' : ''}注意：${describe(p)}`);

  if (analysis.findings.length === 0) {
    out.push(
      '',
      analysis.verdict === 'failed' || analysis.verdict === 'unknown' ? '没有找到已知的失败原因，证据不足。' : '没有找到失败原因。',
    );
    if (analysis.errorLines.length > 0) {
      out.push('', h('最值得查看的错误行（已排除已知无害的错误）'));
      out.push(...code(evidenceLines(analysis.errorLines)));
    }
    return out.join('\n') + '\n';
  }
  out.push('', h(`找到 ${analysis.findings.length} 个问题`));
  analysis.findings.forEach((f, i) => {
    out.push('', md ? `### ${i + 1}. ${f.title}` : `${i + 1}. ${f.title}`);
    out.push(
      `${md ? '' : '   '}规则 ${f.rule}（${f.category}），可信度${CONFIDENCE_TEXT[f.confidence]}${f.basis === 'outcome' ? '（只凭结果代码推断）' : ''}：${f.confidenceWhy}`,
    );
    out.push(`${md ? '' : '   '}${f.summary}`);
    out.push(md ? '' : '   证据：', ...(md ? ['证据：'] : []));
    out.push(...code(evidenceLines(f.evidence)));
    out.push(md ? '\n处理方法：' : '   处理方法：');
    f.fix.forEach((s, k) => {
      out.push(`${md ? `${k + 1}.` : `     ${k + 1})`} ${s.text}`);
      if (s.commands.length > 0) out.push(...code(s.commands));
    });
  });
  return out.join('\n') + '\n';
}

/** Evidence lines; with context (`--explain`) overlapping windows merge and evidence is marked `>`. */
function evidenceLines(evidence: Evidence[]): string[] {
  const out: string[] = [];
  const files = [...new Set(evidence.map((e) => e.file))];
  // Each gle explained once: setup repeats the same one on every line of a failure.
  const explained = new Set<string>();
  for (const file of files) {
    const own = evidence.filter((e) => e.file === file);
    const marked = new Set(own.map((e) => e.line));
    const lines = new Map<number, string>();
    for (const e of own) for (const c of e.context ?? [{ line: e.line, text: e.text }]) lines.set(c.line, c.text);
    let previous = 0;
    for (const n of [...lines.keys()].sort((a, b) => a - b)) {
      if (previous && n > previous + 1 && own.some((e) => e.context)) out.push('  …');
      const mark = own.some((e) => e.context) ? (marked.has(n) ? '> ' : '  ') : '';
      out.push(`${mark}${winPath(file)}:${n}  ${lines.get(n)}`);
      const gle = own.find((e) => e.line === n)?.gle;
      if (gle && !explained.has(gle)) out.push(`${mark ? '  ' : ''}    ↳ ${gle}`);
      if (gle) explained.add(gle);
      previous = n;
    }
  }
  return out;
}

/** The documented `--json` shape. */
export function reportJson(analysis: Analysis, describe: DescribeProblem): unknown {
  const evidence = (e: Evidence) => ({
    file: winPath(e.file),
    line: e.line,
    text: e.text,
    ...(e.gle ? { gle: e.gle } : {}),
    ...(e.context ? { context: e.context } : {}),
  });
  return {
    verdict: analysis.verdict,
    outcome: analysis.outcome && {
      ...analysis.outcome,
      evidence: analysis.outcome.evidence.map(evidence),
      decisive: analysis.outcome.decisive.map(evidence),
    },
    scenario: analysis.scenario,
    attempts: analysis.attempts,
    findings: analysis.findings.map((f) => ({
      rule: f.rule,
      category: f.category,
      title: f.title,
      summary: f.summary,
      confidence: f.confidence,
      confidenceWhy: f.confidenceWhy,
      basis: f.basis,
      evidence: f.evidence.map(evidence),
      facts: f.facts,
      actions: f.actions,
      fix: f.fix,
    })),
    errorLines: analysis.errorLines.map(evidence),
    files: analysis.files.map((f) => ({ ...f, path: winPath(f.path) })),
    problems: analysis.problems.map((p) => ({ ...p, text: describe(p) })),
  };
}

function winPath(p: string): string {
  return p.replace(/\//g, '\\');
}
