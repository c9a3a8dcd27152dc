// The analysis as an engineer reads it (Chinese text) and as tools read it (stable JSON).

import type { Analysis } from '../types';

const VERDICT_TEXT: Record<Analysis['verdict'], string> = {
  failed: '升级失败',
  succeeded: '升级成功',
  unknown: '无法判断',
  cancelled: '用户取消了升级',
  incomplete: '日志不完整（在升级过程中中断）',
  'not-upgrade': '不是升级日志',
  'not-setup-log': '不是安装日志',
};

export function formatReportText(analysis: Analysis): string {
  const out: string[] = [];
  out.push(`结论：${VERDICT_TEXT[analysis.verdict]}（${analysis.verdict}）`);
  out.push('', '文件：');
  for (const f of analysis.files) out.push(`  ${winPath(f.path)}  [${f.kind}, ${f.encoding}, ${f.lines} 行]`);
  for (const p of analysis.problems) out.push('', `注意：${p}`);
  if (analysis.findings.length === 0) {
    out.push('', '没有找到已知的失败原因。');
    return out.join('\n') + '\n';
  }
  out.push('', `找到 ${analysis.findings.length} 个问题：`);
  analysis.findings.forEach((f, i) => {
    out.push('', `${i + 1}. ${f.title}  [${f.rule} / ${f.category}]`, `   ${f.summary.replace(/\n/g, '\n   ')}`, '   证据：');
    for (const e of f.evidence) out.push(`     ${winPath(e.file)}:${e.line}  ${e.text}`);
    out.push('   处理方法：');
    f.fix.forEach((s, k) => {
      out.push(`     ${k + 1}) ${s.text.replace(/\n/g, '\n        ')}`);
      for (const c of s.commands) out.push(`        ${c}`);
    });
  });
  return out.join('\n') + '\n';
}

/** The documented `--json` shape: { verdict, findings: [{ rule, category, title, summary, evidence, facts, actions }], … }. */
export function reportJson(analysis: Analysis): unknown {
  return {
    verdict: analysis.verdict,
    findings: analysis.findings.map((f) => ({
      rule: f.rule,
      category: f.category,
      title: f.title,
      summary: f.summary,
      evidence: f.evidence.map((e) => ({ file: winPath(e.file), line: e.line, text: e.text })),
      facts: f.facts,
      actions: f.actions,
      fix: f.fix,
    })),
    files: analysis.files.map((f) => ({ ...f, path: winPath(f.path) })),
    problems: analysis.problems,
  };
}

function winPath(p: string): string {
  return p.replace(/\//g, '\\');
}
