// What case memory tells engineers, in Chinese: the internal note threaded to a case and the
// text of `casebot similar`. Never part of a draft: an engineer may send a draft as it is.

import type { Notice } from '../commands/engineer-notice';
import type { Outcome, SimilarCase } from './types';

export const NOTHING_SIMILAR = '无足够相似的历史案例。';

const OUTCOME_WORDS: Record<Outcome, string> = {
  fixed_confirmed: '客户确认这一修复解决了问题',
  fixed_unconfirmed: '按这一修复结案，但没有客户确认',
  workaround: '只是规避，没有根本解决',
  no_fix: '给出的建议没有解决问题',
  unknown: '给出过建议，但没有证据表明它解决了问题（案例可能是由其他问题的修复解决的）',
};

/**
 * A code or entity as an engineer writes it: `x00000005` and `err:x00000005` → `0x00000005`,
 * `pair:c1900101-20017` → `0xC1900101 - 0x20017`.
 */
function shown(code: string): string {
  const hex = /^(?:err:)?x([0-9a-f]{8})$/.exec(code);
  if (hex) return `0x${hex[1]!.toUpperCase()}`;
  const pair = /^pair:([0-9a-f]+)-([0-9a-f]*)$/.exec(code);
  return pair ? `0x${pair[1]!.toUpperCase()}${pair[2] ? ` - 0x${pair[2].toUpperCase()}` : ''}` : code;
}

export function similarCasesText(results: SimilarCase[]): string {
  if (results.length === 0) return `${NOTHING_SIMILAR}\n`;
  const lines: string[] = [];
  results.forEach((r, i) => {
    const f = r.finding;
    const differs = r.exact ? null : outcomeDifference(r.why.outcome.query, r.why.outcome.past);
    lines.push(
      `${i + 1}. ${r.caseId}（${r.closedAt.slice(0, 10)} 结案）${r.exact ? '—— 同一问题（签名相同）' : `—— 相似度 ${r.score.toFixed(2)}${differs ? `，${differs}` : ''}`}`,
    );
    if (f) {
      lines.push(`   匹配的问题：${f.title}${f.rule ? `（${f.rule}）` : ''}`);
      lines.push(`   结果：${f.outcome}（${OUTCOME_WORDS[f.outcome]}）`);
      const proven = f.outcome === 'fixed_confirmed' || f.outcome === 'fixed_unconfirmed' || f.outcome === 'workaround';
      if (proven && r.fixText) lines.push(`   问题总结：${r.fixText}`);
      if (f.advice.length > 0) {
        lines.push(proven ? '   修复命令：' : '   当时给出的建议（未证实有效）：');
        for (const command of f.advice) lines.push(`     ${command}`);
      }
    }
    // `pair:80004005-` and `x80004005` read alike: each code once.
    const codes = [...new Set(r.why.codes.map(shown))];
    const why = [
      ...(codes.length > 0 ? [`相同代码 ${codes.slice(0, 6).join('、')}${codes.length > 6 ? ` 等 ${codes.length} 个` : ''}`] : []),
      ...(r.why.entities.length > 0 ? [`相同对象 ${r.why.entities.join('、')}`] : []),
      ...(r.why.templates.length > 0 ? [`相同日志行 ${r.why.templates.length} 种：${r.why.templates.slice(0, 2).join(' | ')}`] : []),
      ...(r.why.text > 0 ? [`描述/分析文字相似度 ${r.why.text.toFixed(2)}`] : []),
    ];
    if (why.length > 0) lines.push(`   匹配原因：${why.join('；')}`);
    lines.push('');
  });
  return lines.join('\n');
}

/**
 * What the result codes say of two failures that are similar but not the same:
 * `相同错误码 0xC1900101，阶段不同：SAFE_OS / SECOND_BOOT`, or under one result and extend code,
 * `底层错误不同：0x00000005 / 0x000000B7`. Null when they agree or are unknown.
 */
export function outcomeDifference(query: string[], past: string[]): string | null {
  const pair = (codes: string[]) =>
    codes
      .find((c) => c.startsWith('pair:'))
      ?.slice(5)
      .split('-') ?? null;
  const phase = (codes: string[]) =>
    codes
      .find((c) => c.startsWith('extend:'))
      ?.slice(7)
      .split('/')[0]
      ?.replace(/^sp_execution_/, '')
      .toUpperCase() ?? null;
  const [q, p] = [pair(query), pair(past)];
  if (!q || !p) return null;
  const hex = (code: string) => `0x${code.toUpperCase()}`;
  if (q[0] !== p[0]) return `错误码不同：${hex(q[0]!)} / ${hex(p[0]!)}`;
  if ((q[1] ?? '') === (p[1] ?? '')) {
    const errors = (codes: string[]) => codes.filter((c) => c.startsWith('err:')).map(shown);
    const [qErrors, pErrors] = [errors(query), errors(past)];
    if (qErrors.length === 0 || pErrors.length === 0 || qErrors.some((e) => pErrors.includes(e))) return null;
    return `相同错误码 ${shown(`pair:${q.join('-')}`)}，底层错误不同：${qErrors.join('、')} / ${pErrors.join('、')}`;
  }
  const [qPhase, pPhase] = [phase(query), phase(past)];
  const where =
    qPhase && pPhase && qPhase !== pPhase
      ? `阶段不同：${qPhase} / ${pPhase}`
      : `扩展代码不同：${q[1] ? hex(q[1]) : '无'} / ${p[1] ? hex(p[1]) : '无'}`;
  return `相同错误码 ${hex(q[0]!)}，${where}`;
}

export function similarCasesNotice(caseId: string, results: SimilarCase[], basis: 'analysis' | 'description'): Notice {
  return {
    subject: `[内部参考] ${caseId} 相似历史案例（仅限工程师，勿转发客户）`,
    text:
      [
        '本邮件仅供工程师内部参考：请勿转发给客户，也不要把内容复制到给客户的回复中。',
        '',
        basis === 'analysis'
          ? `案例 ${caseId} 的分析结果与以下历史案例相似：`
          : `案例 ${caseId} 尚无日志分析，客户的描述与以下历史案例相似（仅供参考，请以日志为准）：`,
        '',
        similarCasesText(results),
        '觉得有用或没用，请回复命令 /useful 案例号 或 /notuseful 案例号，以后的推荐会参考。',
      ].join('\n') + '\n',
  };
}
