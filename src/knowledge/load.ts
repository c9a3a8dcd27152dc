// Reads knowledge/ (rules, code tables, products, outcome markers), validates every file and
// compiles it into the plain data the core takes. Every problem is collected with the file and
// key it is in, so `casebot rules test` can list them all at once.

import fs from 'node:fs';
import path from 'node:path';
import YAML, { LineCounter } from 'yaml';
import type { ZodType, ZodTypeDef } from 'zod';
import { zodMessages } from '../config/zod-messages';
import type { CodeInfo, CodeTable, ExtendCodes, Knowledge, NoisePattern, Product, Rule } from '../core/analyze/knowledge';
import { checkTemplate } from '../core/draft/check-template';
import { compileText, createTextEngine, TEXT_HELPERS, type TextEngine } from '../core/draft/text-engine';
import { codesSchema, extendCodesSchema, noiseSchema, outcomesSchema, productsSchema, ruleSchema, termsSchema, type RuleData } from './schema';

export interface KnowledgeIssue {
  file: string;
  message: string;
}

export interface LoadedKnowledge {
  knowledge: Knowledge;
  issues: KnowledgeIssue[];
  /** Rule id → its folder, for the fixture runner. */
  ruleDirs: Map<string, string>;
}

export class KnowledgeError extends Error {
  constructor(readonly issues: KnowledgeIssue[]) {
    super(`knowledge has ${issues.length} problem(s):\n${issues.map((i) => `  ${i.file}: ${i.message}`).join('\n')}`);
  }
}

/** Loads and throws on any problem: what a running casebot wants. */
export function loadKnowledge(dir: string): Knowledge {
  const loaded = readKnowledge(dir);
  if (loaded.issues.length > 0) throw new KnowledgeError(loaded.issues);
  return loaded.knowledge;
}

/** Loads everything that is valid and lists what is not. */
export function readKnowledge(dir: string): LoadedKnowledge {
  const issues: KnowledgeIssue[] = [];
  const engine = createTextEngine();
  const rel = (f: string) => path.relative(process.cwd(), f) || f;

  const parse = <T>(file: string, schema: ZodType<T, ZodTypeDef, unknown>): T | null => {
    let data: unknown;
    try {
      data = YAML.parse(fs.readFileSync(file, 'utf8'));
    } catch (err) {
      issues.push({ file: rel(file), message: (err as Error).message.split('\n')[0] ?? 'unreadable' });
      return null;
    }
    const result = schema.safeParse(data);
    if (result.success) return result.data;
    for (const msg of zodMessages(result.error)) issues.push({ file: rel(file), message: msg });
    return null;
  };

  const codesData = parse(path.join(dir, 'codes.yaml'), codesSchema);
  const codes: Record<CodeTable, Map<number, CodeInfo>> = { win32: new Map(), hresult: new Map(), ntstatus: new Map() };
  for (const table of ['win32', 'hresult', 'ntstatus'] as const) {
    for (const [code, info] of Object.entries(codesData?.[table] ?? {})) {
      const n = parseCodeKey(code);
      if (n === null) issues.push({ file: rel(path.join(dir, 'codes.yaml')), message: `${table}.${code}: not a number (write 5 or 0x80070005)` });
      else codes[table].set(n, info);
    }
  }

  const products = new Map<string, Product>();
  const productsFile = path.join(dir, 'products.yaml');
  for (const p of parse(productsFile, productsSchema)?.products ?? []) {
    for (const service of p.services) {
      const key = service.toLowerCase();
      if (products.has(key)) issues.push({ file: rel(productsFile), message: `service ${service} is listed for two products` });
      products.set(key, { name: p.name, vendor: p.vendor, services: p.services, note: p.note });
    }
  }

  const outcomes = parse(path.join(dir, 'outcomes.yaml'), outcomesSchema) ?? {
    scenarios: [],
    cancelled: [],
    cancelledBy: [],
    failed: [],
    succeeded: [],
    started: [],
    ended: [],
    rollback: [],
    benignResults: [],
    decisive: [],
    progress: [],
    collectNext: {},
  };

  const extendFile = path.join(dir, 'extend-codes.yaml');
  const extendData = parse(extendFile, extendCodesSchema);
  const extend: ExtendCodes = { phases: new Map(), operations: new Map() };
  const byCode = <T>(table: string, entries: Record<string, T>, map: Map<number, T>) => {
    for (const [code, info] of Object.entries(entries)) {
      const n = parseCodeKey(code);
      if (n === null) issues.push({ file: rel(extendFile), message: `${table}.${code}: not a number` });
      else map.set(n, info);
    }
  };
  byCode('phases', extendData?.phases ?? {}, extend.phases);
  byCode('operations', extendData?.operations ?? {}, extend.operations);

  const noiseFile = path.join(dir, 'known-noise.yaml');
  const noise: NoisePattern[] = [];
  for (const [i, n] of (parse(noiseFile, noiseSchema)?.noise ?? []).entries()) {
    try {
      noise.push({ id: n.id, anchor: n.anchor, pattern: new RegExp(n.pattern ?? escapeRegExp(n.anchor)), why: n.why });
    } catch (err) {
      issues.push({ file: rel(noiseFile), message: `noise.${i}.pattern: invalid regular expression: ${(err as Error).message}` });
    }
  }

  const terms = parse(path.join(dir, 'terms.yaml'), termsSchema)?.terms ?? {};

  const rules: Rule[] = [];
  const ruleDirs = new Map<string, string>();
  const rulesDir = path.join(dir, 'rules');
  const folders = fs.existsSync(rulesDir) ? fs.readdirSync(rulesDir).sort() : [];
  for (const folder of folders) {
    const ruleDir = path.join(rulesDir, folder);
    if (!fs.statSync(ruleDir).isDirectory()) continue;
    const file = path.join(ruleDir, 'rule.yaml');
    if (!fs.existsSync(file)) {
      issues.push({ file: rel(ruleDir), message: 'rule folder without rule.yaml' });
      continue;
    }
    const data = parse(file, ruleSchema);
    if (!data) continue;
    if (data.id !== folder) issues.push({ file: rel(file), message: `id "${data.id}" differs from its folder name "${folder}"` });
    if (ruleDirs.has(data.id)) {
      issues.push({ file: rel(file), message: `duplicate rule id ${data.id}` });
      continue;
    }
    if (!fs.existsSync(path.join(ruleDir, 'fixtures'))) issues.push({ file: rel(ruleDir), message: 'rule without fixtures/: every rule needs a fixture that proves it' });
    const rule = compileRule(data, engine, rel(file), issues, yamlLines(file));
    if (rule && data.status !== 'deprecated') {
      rules.push(rule);
      ruleDirs.set(rule.id, ruleDir);
    }
  }

  return { knowledge: { rules, codes, products, outcomes, extend, noise, terms }, issues, ruleDirs };
}

function compileRule(data: RuleData, engine: TextEngine, file: string, issues: KnowledgeIssue[], lineOf: (key: (string | number)[]) => number): Rule | null {
  const before = issues.length;
  // The facts a rule's texts can read: what its patterns capture, what it derives and decodes.
  const captured = (pattern: string) => [...pattern.matchAll(/\(\?<([A-Za-z][A-Za-z0-9]*)>/g)].map((m) => m[1]!);
  const decoded = ['gle', ...Object.keys(data.decode)].flatMap((f) => [`${f}Name`, `${f}Meaning`]);
  const factNames = new Set([
    ...data.signals.flatMap((s) => captured(s.pattern)),
    ...data.derive.flatMap((d) => captured(d.pattern)),
    'gle',
    ...decoded,
    ...(data.product ? ['product', 'productVendor', 'productNote'] : []),
  ]);
  const factShape = Object.fromEntries([...factNames].map((n) => [n, 'x']));
  const regex = (source: string, where: string, flags = ''): RegExp => {
    try {
      return new RegExp(source, flags);
    } catch (err) {
      issues.push({ file, message: `${where}: invalid regular expression: ${(err as Error).message}` });
      return /$^/;
    }
  };
  const text = (source: string, where: string) => {
    const key = where.split('.').map((k) => (/^\d+$/.test(k) ? Number(k) : k));
    // A misspelt fact ({{guidd}}) renders as nothing: it would drop the GUID from a customer's draft.
    for (const p of checkTemplate(file, source, factShape, { partials: {}, helpers: TEXT_HELPERS })) {
      issues.push({ file: `${file}:${lineOf(key) + p.line - 1}`, message: `${where}: ${p.message}${p.message.startsWith('unknown name') ? `; this rule's facts: ${[...factNames].sort().join(', ')}` : ''}` });
    }
    try {
      const render = compileText(engine, source);
      render({}); // Handlebars compiles lazily: surface syntax errors at load time.
      return (facts: Record<string, unknown>) => joinCjkLines(render(facts));
    } catch (err) {
      issues.push({ file, message: `${where}: invalid template: ${(err as Error).message.split('\n')[0]}` });
      return () => '';
    }
  };
  const signals = data.signals.map((s, i) => {
    const pattern = regex(s.pattern, `signals.${i}.pattern`, s.ignoreCase ? 'i' : '');
    const named = [...s.pattern.matchAll(/\(\?<([A-Za-z][A-Za-z0-9]*)>/g)].map((m) => m[1]!);
    for (const k of data.key) {
      if (s.role === 'trigger' && !named.includes(k)) {
        issues.push({ file, message: `signals.${i}: a trigger must capture every key fact; "${k}" is missing` });
      }
    }
    return { log: s.log, role: s.role, proves: s.proves, anchor: s.anchor, pattern, context: s.context };
  });
  const rule: Rule = {
    id: data.id,
    category: data.category,
    level: data.level,
    setupdiag: data.setupdiag,
    signals,
    key: data.key,
    derive: data.derive.map((d, i) => ({ from: d.from, pattern: regex(d.pattern, `derive.${i}.pattern`, 'i') })),
    decode: data.decode,
    evidenceContaining: data.evidenceContaining,
    detailWindow: data.detailWindow,
    fallback: data.fallback,
    productFact: data.product ?? null,
    title: text(data.title, 'title'),
    summary: text(data.summary, 'summary'),
    resolution: text(data.resolution, 'resolution'),
    fix: data.fix.map((f, i) => ({
      when: f.when ?? null,
      unless: f.unless ?? null,
      text: text(f.text, `fix.${i}.text`),
      commands: f.commands.map((c, j) => text(c, `fix.${i}.commands.${j}`)),
    })),
    source: file,
  };
  return issues.length === before ? rule : null;
}


/** The line (1-based) a key of a YAML file starts on; 1 when it cannot be found. */
function yamlLines(file: string): (key: (string | number)[]) => number {
  // Parsed again only when a problem needs its line: a second parse of every rule doubled the
  // start-up garbage, and the heap it grew stayed in the analyzer's peak RSS.
  let parsed: { source: string; counter: LineCounter; doc: YAML.Document.Parsed } | null = null;
  return (key) => {
    if (!parsed) {
      const counter = new LineCounter();
      const source = fs.readFileSync(file, 'utf8');
      parsed = { source, counter, doc: YAML.parseDocument(source, { lineCounter: counter }) };
    }
    const { source, counter, doc } = parsed;
    const node = doc.getIn(key, true) as { range?: [number, number, number] } | undefined;
    if (!node?.range) return 1;
    // A block scalar (`>-`, `|`) starts its text on the line after the indicator.
    const block = source[node.range[0]] === '>' || source[node.range[0]] === '|';
    return counter.linePos(node.range[0]).line + (block ? 1 : 0);
  };
}

/** Keys of the code tables: decimal (5) or hex (0x80070005). */
function parseCodeKey(key: string): number | null {
  const n = /^0x[0-9a-f]+$/i.test(key) ? parseInt(key, 16) : /^\d+$/.test(key) ? parseInt(key, 10) : NaN;
  return Number.isNaN(n) ? null : n >>> 0;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** YAML folding joins lines with a space; between Chinese characters that space is wrong. */
function joinCjkLines(text: string): string {
  return text.replace(/([\u3000-\u9fff\uff00-\uffef])[ \t]+(?=[\u3000-\u9fff\uff00-\uffef])/g, '$1');
}

