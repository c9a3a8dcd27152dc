// Where casebot's own data files live, whether it runs from src/ (tests) or dist/src/.

import fs from 'node:fs';
import path from 'node:path';

let cached: string | null = null;

/** The folder holding casebot's package.json. */
export function projectRoot(): string {
  if (cached) return cached;
  let dir = __dirname;
  for (let i = 0; i < 8; i++) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg) && JSON.parse(fs.readFileSync(pkg, 'utf8')).name === 'casebot') return (cached = dir);
    dir = path.dirname(dir);
  }
  throw new Error(`cannot find casebot's package.json above ${__dirname}`);
}
