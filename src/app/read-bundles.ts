// Reads and analyzes the log attachments of a mail: one artifact per attachment.

import { createHash } from 'node:crypto';
import { analyzeBundle } from '../core/analyze/analyze-bundle';
import type { ParsedMail } from '../core/types';
import type { NewArtifact } from '../ports/case-store';
import type { CasebotDeps } from './casebot-deps';

/** A collector writes one zip; dozens of loose files is a mistake or an attack, not a bundle. */
const MAX_LOG_ATTACHMENTS = 20;

export async function readBundles(deps: CasebotDeps, mail: ParsedMail): Promise<{ logAttachments: number; artifacts: NewArtifact[] }> {
  const all = mail.attachments.filter((a) => deps.bundles.isLogAttachment(a));
  const attachments = all.slice(0, MAX_LOG_ATTACHMENTS);
  const artifacts: NewArtifact[] = [];
  if (all.length > attachments.length) {
    artifacts.push({
      filename: `${all.length - attachments.length} more attachments`,
      sha256: '',
      size: 0,
      problems: [`邮件带有 ${all.length} 个日志附件，只读取了前 ${MAX_LOG_ATTACHMENTS} 个，请把日志打包成一个 zip 文件发送。`],
      analysis: null,
    });
  }
  for (const attachment of attachments) {
    const contents = await deps.bundles.read(attachment);
    const analysis = contents.files.length > 0 ? await analyzeBundle(contents.files, deps.knowledge) : null;
    artifacts.push({
      filename: attachment.filename,
      sha256: createHash('sha256').update(attachment.content).digest('hex'),
      size: attachment.content.length,
      problems: contents.problems,
      analysis,
    });
  }
  return { logAttachments: attachments.length, artifacts };
}
