// The architecture, checked: a pure core, ports that only name core types, an app that works
// through ports, adapters that plug into ports and never into each other or the app.

import fs from 'node:fs';
import path from 'node:path';

const src = path.join(__dirname, '../src');

function files(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? files(path.join(dir, d.name)) : d.name.endsWith('.ts') && !d.name.endsWith('.test.ts') ? [path.join(dir, d.name)] : []));
}

function imports(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  return [...text.matchAll(/^import\s[^'"]*['"]([^'"]+)['"]/gm)].map((m) => m[1]!);
}

/** `src/…` layer of an import made from `file`, or the package name. */
function target(file: string, spec: string): string {
  if (!spec.startsWith('.')) return `pkg:${spec}`;
  const rel = path.relative(src, path.resolve(path.dirname(file), spec));
  return rel.split(path.sep).slice(0, 2).join('/');
}

const layerOf = (file: string) => path.relative(src, file).split(path.sep)[0]!;

// Pure libraries: decoding (iconv-lite, node:buffer's isUtf8/isAscii), templates, hashing.
const PURE_PACKAGES = ['pkg:iconv-lite', 'pkg:handlebars', 'pkg:node:crypto', 'pkg:node:buffer'];

test.each(files(src).map((f) => [path.relative(src, f), f] as const))('%s keeps to its layer', (_name, file) => {
  const layer = layerOf(file);
  const bad = imports(file)
    .map((spec) => ({ spec, to: target(file, spec) }))
    .filter(({ to }) => {
      switch (layer) {
        case 'core':
          return !(to.startsWith('core') || PURE_PACKAGES.includes(to));
        case 'ports':
          return !to.startsWith('core');
        case 'app':
          return !(to.startsWith('core') || to.startsWith('ports') || to.startsWith('app') || to === 'pkg:node:crypto');
        case 'adapters': {
          const own = path.relative(src, file).split(path.sep).slice(0, 2).join('/');
          return to.startsWith('app') || to.startsWith('cli') || to.startsWith('config') || (to.startsWith('adapters/') && to !== own);
        }
        case 'knowledge':
        case 'config':
          return to.startsWith('app') || to.startsWith('adapters') || to.startsWith('cli');
        default:
          return false; // main.ts and cli/ compose everything
      }
    });
  expect(bad.map((b) => b.spec)).toEqual([]);
});
