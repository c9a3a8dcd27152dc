// Reads templates/*.hbs and templates/partials/*.hbs, checks them (syntax, partials, every name
// against what it is given) and compiles them. A broken template stops casebot at start-up with
// every problem listed, not at the first case it drafts.

import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { compileTemplates, type RenderTemplate, type TemplateSources } from '../core/draft/templates';
import { checkTemplateSources } from '../core/draft/template-shapes';

const PROBLEMS_FILE = 'problems.yaml';

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
  return { templates: read(dir), partials: read(path.join(dir, 'partials')), problems: readProblemTexts(dir) };
}

/** templates/problems.yaml; a file that does not parse reads as empty, and the check then names every missing code. */
function readProblemTexts(dir: string): Record<string, string> {
  const file = path.join(dir, PROBLEMS_FILE);
  if (!fs.existsSync(file)) return {};
  const data: unknown = YAML.parse(fs.readFileSync(file, 'utf8'), { prettyErrors: true });
  if (data === null || typeof data !== 'object' || Array.isArray(data)) throw new TemplateError([`${file}: not a map of problem codes to sentences`]);
  return Object.fromEntries(Object.entries(data).map(([code, text]) => [code, String(text)]));
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
