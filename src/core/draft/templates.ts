// Compiles the mail templates (templates/*.hbs and templates/partials/*.hbs, read by an
// adapter) into render functions. A missing template or partial is a load-time error.

import type { Problem } from '../intake/problem';
import { compileText, createTextEngine } from './text-engine';

export const DRAFT_TEMPLATES = ['scope-request', 'diagnosis', 'log-rerequest', 'closure'] as const;
export const REQUIRED_PARTIALS = ['greeting', 'signature', 'hotline'] as const;

export interface TemplateSources {
  templates: Record<string, string>;
  partials: Record<string, string>;
  /** templates/problems.yaml: a sentence per problem code. */
  problems: Record<string, string>;
}

export type RenderTemplate = (name: string, data: unknown) => string;

export function compileTemplates(sources: TemplateSources, required: readonly string[] = DRAFT_TEMPLATES): RenderTemplate {
  const missing = [
    ...required.filter((t) => !(t in sources.templates)).map((t) => `${t}.hbs`),
    ...REQUIRED_PARTIALS.filter((p) => !(p in sources.partials)).map((p) => `partials/${p}.hbs`),
  ];
  if (missing.length > 0) throw new Error(`missing template(s): ${missing.join(', ')}`);
  const engine = createTextEngine();
  for (const [name, source] of Object.entries(sources.partials)) engine.registerPartial(name, source);
  const compiled = new Map<string, (data: unknown) => string>();
  for (const [name, source] of Object.entries(sources.templates)) compiled.set(name, compileText(engine, source));
  for (const [code, source] of Object.entries(sources.problems)) compiled.set(problemTemplate(code), compileText(engine, source));
  return (name, data) => {
    const render = compiled.get(name);
    if (!render) throw new Error(`no template ${name}.hbs`);
    return tidy(render(data));
  };
}

function problemTemplate(code: string): string {
  return `problem:${code}`;
}

/** A problem's sentence, from templates/problems.yaml. */
export type DescribeProblem = (problem: Problem) => string;

export function describeProblems(render: RenderTemplate, portal: { name: string; url: string }): DescribeProblem {
  return (problem) => render(problemTemplate(problem.code), { ...problem, portal }).trim();
}

/** Templates are written for reading; mail wants no trailing spaces and at most one blank line. */
function tidy(text: string): string {
  return (
    text
      .split('\n')
      .map((l) => l.replace(/[ \t]+$/, ''))
      .join('\n')
      .replace(/\n{3,}/g, '\n\n')
      .trim() + '\n'
  );
}
