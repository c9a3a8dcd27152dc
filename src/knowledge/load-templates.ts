// Reads templates/*.hbs and templates/partials/*.hbs and compiles them.

import fs from 'node:fs';
import path from 'node:path';
import { compileTemplates, type RenderTemplate, type TemplateSources } from '../core/draft/templates';

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

export function loadTemplates(dir: string): RenderTemplate {
  return compileTemplates(readTemplateSources(dir));
}
