// Renders the digest view with templates/digest-html.hbs (escaped: subjects come from
// customers) and templates/digest-text.hbs (the plain-text alternative).

import Handlebars from 'handlebars';
import type { TemplateSources } from '../draft/templates';
import type { DigestView } from './build-digest';

export interface RenderedDigest {
  subject: string;
  html: string;
  text: string;
}

export type RenderDigest = (view: DigestView) => RenderedDigest;

export function compileDigest(sources: TemplateSources): RenderDigest {
  const html = sources.templates['digest-html'];
  const text = sources.templates['digest-text'];
  if (!html || !text) throw new Error('missing template(s): digest-html.hbs, digest-text.hbs');
  const engine = Handlebars.create();
  engine.registerHelper('gt', (a: unknown, b: unknown) => Number(a) > Number(b));
  for (const [name, source] of Object.entries(sources.partials)) if (name.startsWith('digest-')) engine.registerPartial(name, source);
  const renderHtml = engine.compile(html, { strict: false });
  const renderText = engine.compile(text, { noEscape: true, strict: false });
  return (view) => ({
    subject: `casebot 每日摘要 ${view.date}（${view.scope}）：${view.counts.needsReply} 个待回复，${view.counts.draftsAwaiting} 个草稿待审`,
    html: renderHtml(view),
    text: renderText(view).replace(/\n{3,}/g, '\n\n'),
  });
}
