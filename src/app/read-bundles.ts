// Takes in the logs a customer mail brings, from wherever the customer put them: attachments
// (archives, split archives, winmail.dat, forwarded mails), links to the upload portal, or the
// team's copy of the portal's uploads when the mail only says "已上传". One artifact per bundle
// or refusal, each refusal with its reason in Chinese. A bundle seen before on the case (the
// same bytes, by hash) is not analyzed again: its analysis is reused.

import { analyzeBundle } from '../core/analyze/analyze-bundle';
import { findUploadLinks, mentionsUpload } from '../core/intake/portal-links';
import { ownText } from '../core/mail/strip-quote';
import { problem, type Problem } from '../core/intake/problem';
import type { MailAttachment, ParsedMail } from '../core/types';
import type { NewArtifact, CaseStore } from '../ports/case-store';
import type { CasebotDeps } from './casebot-deps';
import { customerOf } from './team-settings';

/** What this module uses of casebot's dependencies (the composition root passes them all). */
export type ReadBundlesDeps = Pick<CasebotDeps, 'analysis' | 'bundles' | 'intake' | 'knowledge' | 'log' | 'settings'> & {
  store: Pick<CaseStore, 'analysisOfBundle' | 'loadAnalysis'>;
};

/** A collector writes one zip (or a few parts); dozens of loose files is a mistake or an attack. */
const MAX_LOG_ATTACHMENTS = 40;

export interface Intake {
  /** Bundles tried (attachments, links, uploads looked for): the mail meant to bring logs. */
  logAttachments: number;
  artifacts: NewArtifact[];
}

export interface IntakeOptions {
  /** Only what the mail carries: learning from an archive fetches no old links. */
  attachmentsOnly?: boolean;
  /** Analyze again even a bundle analyzed before (`/diagnose`, after the rules changed). */
  fresh?: boolean;
}

export async function readBundles(deps: ReadBundlesDeps, mail: ParsedMail, caseId: string, options: IntakeOptions = {}): Promise<Intake> {
  const artifacts: NewArtifact[] = [];
  const all = mail.attachments.filter((a) => deps.bundles.isLogAttachment(a));
  const sources: MailAttachment[] = all.slice(0, MAX_LOG_ATTACHMENTS);
  if (all.length > sources.length) {
    artifacts.push(
      refusal(
        `${all.length - sources.length} more attachments`,
        problem('TOO_MANY_ATTACHMENTS', { count: all.length, limit: MAX_LOG_ATTACHMENTS }),
      ),
    );
  }
  const folders: string[] = [];
  try {
    const text = ownText(mail.text);
    const links =
      deps.intake.fetcher && !options.attachmentsOnly ? findUploadLinks(text, mail.html, deps.intake.links) : { portal: [], elsewhere: [] };
    for (const url of links.elsewhere) {
      deps.log.warn('upload link to an untrusted host not downloaded', { caseId, url });
      artifacts.push(refusal(url, problem('UNTRUSTED_HOST', { url, host: hostOf(url) })));
    }
    for (const url of links.portal) {
      const folder = deps.intake.scratch.folder();
      folders.push(folder);
      const outcome = await deps.intake.fetcher!.fetch(url, folder);
      if (outcome.ok) {
        const b = outcome.bundle;
        sources.push({ filename: b.filename, contentType: b.contentType, size: b.size, sha256: b.sha256, file: b.file });
      } else {
        deps.log.warn('portal link not downloaded', { caseId, url, detail: outcome.detail });
        artifacts.push(refusal(url, outcome.problem));
      }
    }
    if (!options.attachmentsOnly && sources.length === 0 && artifacts.length === 0 && mentionsUpload(text)) {
      const account = customerOf(deps.settings, mail.from ? [mail.from] : [])?.upload?.user;
      const uploads = deps.intake.drop ? await deps.intake.drop.find([caseId, ...(account ? [account] : [])]) : [];
      if (uploads.length > 0) sources.push(...uploads);
      else {
        artifacts.push(refusal(`${deps.settings.portal.name} upload`, problem('UPLOAD_NOT_FOUND', {})));
      }
    }
    const tried = sources.length + artifacts.length;
    const analyzed = new Set<string>();
    for (const bundle of await deps.bundles.read(sources)) {
      // Attached and linked, or sent again: the same bytes are one bundle.
      if (analyzed.has(bundle.sha256)) continue;
      analyzed.add(bundle.sha256);
      const earlier = options.fresh ? null : deps.store.analysisOfBundle(caseId, bundle.sha256);
      const analysis =
        earlier !== null
          ? deps.store.loadAnalysis(earlier)
          : bundle.files.length > 0
            ? await analyzeBundle(bundle.files, deps.knowledge, deps.analysis)
            : null;
      artifacts.push({
        filename: bundle.name,
        sha256: bundle.sha256,
        size: bundle.size,
        problems: bundle.problems,
        analysis,
        reused: earlier !== null,
      });
    }
    return { logAttachments: tried, artifacts };
  } finally {
    for (const folder of folders) deps.intake.scratch.remove(folder);
  }
}

/** A mail too big to download: only its header was read. */
export function oversizedIntake(deps: ReadBundlesDeps, size: number): Intake {
  return {
    logAttachments: 1,
    artifacts: [refusal('whole mail', problem('MAIL_TOO_LARGE', { sizeBytes: size, limitBytes: deps.intake.maxMailBytes }))],
  };
}

function hostOf(url: string): string {
  return new URL(url).host;
}

function refusal(filename: string, why: Problem): NewArtifact {
  return { filename, sha256: '', size: 0, problems: [why], analysis: null };
}
