// Reads and analyzes the log attachments of a mail: one artifact per attachment.

import { createHash } from 'node:crypto';
import { analyzeBundle } from '../core/analyze/analyze-bundle';
import type { ParsedMail } from '../core/types';
import type { NewArtifact } from '../ports/case-store';
import type { CasebotDeps } from './casebot-deps';

export async function readBundles(deps: CasebotDeps, mail: ParsedMail): Promise<{ logAttachments: number; artifacts: NewArtifact[] }> {
  const attachments = mail.attachments.filter((a) => deps.bundles.isLogAttachment(a));
  const artifacts: NewArtifact[] = [];
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
