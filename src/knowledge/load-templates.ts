// Reads templates/*.hbs and templates/partials/*.hbs, checks them (syntax, partials, every name
// against what it is given) and compiles them. A broken template stops casebot at start-up with
// every problem listed, not at the first case it drafts.

import fs from 'node:fs';
import path from 'node:path';
import { compileTemplates, type RenderTemplate, type TemplateSources } from '../core/draft/templates';
import { checkTemplateSources } from '../core/draft/template-shapes';

export class TemplateError extends Error {
  constructor(readonly problems: string[]) {
    super(`templates have ${problems.length} problem(s):\n${problems.map((p) => `  ✖ ${p}`).join('\n')}`);
  }
}

export function readTemplateSources(dir: string): TemplateSources {
  const read = (folder: string) => {
    const out: Record<string, string> = {};
    if (!fs.existsSync(folder)) return out;
    for (const name of fs.readdirSync(folder)) {
      if (name.endsWith('.hbs')) out[name.slice(0, -4)] = fs.readFileSync(path.join(folder, name), 'utf8');
    }
    return out;
  };
  return { templates: read(dir), partials: read(path.join(dir, 'partials')) };
}

/** `templates/diagnosis.hbs:12: unknown name "guidd"…`, one per problem. */
export function templateProblems(dir: string, sources: TemplateSources = readTemplateSources(dir)): string[] {
  const rel = (f: string) => path.relative(process.cwd(), path.join(dir, f)) || f;
  return checkTemplateSources(sources).map((p) => `${rel(p.file)}:${p.line}: ${p.message}`);
}

export function loadTemplates(dir: string): RenderTemplate {
  const sources = readTemplateSources(dir);
  const problems = templateProblems(dir, sources);
  if (problems.length > 0) throw new TemplateError(problems);
  return compileTemplates(sources);
}
