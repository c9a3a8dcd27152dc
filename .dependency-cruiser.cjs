// The import rules of the layers (README "Layout"; the style anchors' §4), checked by
// dependency-cruiser in `npm test`: it reads every import, re-export, require() and import(),
// where the old regex read only `import … from`. Tests beside core modules are not core.
/** @type {import('dependency-cruiser').IConfiguration} */
const notTest = '\\.test\\.ts$';
module.exports = {
  forbidden: [
    {
      name: 'core-is-pure',
      comment: 'core takes plain data and returns plain data: only core and pure packages (decoding, templates, hashing)',
      severity: 'error',
      from: { path: '^src/core/', pathNot: notTest },
      to: { pathNot: ['^src/core/', '^node_modules/(iconv-lite|handlebars)/', '^(crypto|buffer)$'], dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'core-types-only-from-core',
      comment: 'even types of core come from core only',
      severity: 'error',
      from: { path: '^src/core/', pathNot: notTest },
      to: { path: '^src/(ports|app|adapters|config|knowledge|cli|main)' },
    },
    {
      name: 'ports-name-core-only',
      severity: 'error',
      from: { path: '^src/ports/' },
      to: { pathNot: '^src/(core|ports)/' },
    },
    {
      name: 'app-works-through-ports',
      severity: 'error',
      from: { path: '^src/app/' },
      to: { pathNot: ['^src/(core|ports|app)/', '^crypto$'] },
    },
    {
      name: 'adapters-plug-into-ports',
      comment: 'an adapter never reaches into the app, the CLI, the config or another adapter',
      severity: 'error',
      from: { path: '^src/adapters/([^/]+)/' },
      to: { path: ['^src/(app|cli|config)/', '^src/adapters/'], pathNot: ['^src/adapters/$1/'] },
    },
    {
      name: 'knowledge-and-config-stay-out-of-the-shell',
      severity: 'error',
      from: { path: '^src/(knowledge|config)/' },
      to: { path: '^src/(app|adapters|cli)/' },
    },
    {
      name: 'no-orphans',
      comment: 'a module nothing imports is dead code (entry points, tests and bench mains aside)',
      severity: 'error',
      from: {
        orphan: true,
        pathNot: [
          '\\.test\\.ts$',
          '^src/cli/main\\.ts$',
          '^bench/run\\.ts$',
          '^bench/real-failures\\.ts$',
          '\\.d\\.ts$',
          '^test/',
          '(^|/)\\.?[^/]+\\.(c|m)?js$',
        ],
      },
      to: {},
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true, dependencyTypesNot: ['type-only'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '^(dist|node_modules|test/fixtures|var)/' },
  },
};
