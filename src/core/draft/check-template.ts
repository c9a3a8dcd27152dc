// Checks a Handlebars text before it ever runs: its syntax, the partials it calls, and every
// name it reads against a sample of the data it will be given. Handlebars itself renders a
// misspelt name as nothing, so `{{guidd}}` would silently drop the GUID from a customer's
// draft; and a syntax error would only show when the first case is drafted.

import Handlebars from 'handlebars';

type Node = hbs.AST.Node;
type Expression = hbs.AST.Expression;

export interface TemplateProblem {
  /** The template's file, as the engineer edits it. */
  file: string;
  line: number;
  message: string;
}

export interface TemplateSet {
  /** Source by partial name. */
  partials: Record<string, { file: string; source: string }>;
  helpers: readonly string[];
}

/** Block helpers that keep the context: `#if x`, `#unless x`. */
const SAME_CONTEXT = new Set(['if', 'unless']);

/**
 * Every problem of one template, all at once. `shape` is a sample of the data the template is
 * rendered with: objects carry every key, arrays one element that carries every key.
 */
export function checkTemplate(file: string, source: string, shape: unknown, set: TemplateSet): TemplateProblem[] {
  const problems: TemplateProblem[] = [];
  const seen = new Set<string>();
  const report = (p: TemplateProblem) => {
    const key = `${p.file}:${p.line}:${p.message}`;
    if (seen.has(key)) return;
    seen.add(key);
    problems.push(p);
  };
  const checking = new Set<string>();

  const walk = (program: hbs.AST.Program | undefined, stack: unknown[], inFile: string) => {
    for (const node of program?.body ?? []) visit(node, stack, inFile);
  };

  const resolve = (expr: Expression, stack: unknown[], inFile: string): unknown => {
    if (expr.type === 'SubExpression') {
      const sub = expr as hbs.AST.SubExpression;
      checkCall(sub.path, sub.params, sub.hash, stack, inFile);
      return true;
    }
    if (expr.type !== 'PathExpression') return expr.type === 'StringLiteral' ? '' : 0;
    const path = expr as hbs.AST.PathExpression;
    if (path.data) return 0; // @index, @first, @last, @root…
    let value = stack[stack.length - 1 - path.depth];
    for (const part of path.parts) {
      if (Array.isArray(value) && part === 'length') return 0;
      if (value !== null && typeof value === 'object' && !Array.isArray(value) && part in value) {
        value = (value as Record<string, unknown>)[part];
        continue;
      }
      report({ file: inFile, line: path.loc.start.line, message: `unknown name "${path.original}": the data here has no "${part}"` });
      return undefined;
    }
    return value;
  };

  const checkCall = (callee: Expression, params: Expression[], hash: hbs.AST.Hash | undefined, stack: unknown[], inFile: string) => {
    const name = callee.type === 'PathExpression' ? (callee as hbs.AST.PathExpression).original : '';
    const isHelper = set.helpers.includes(name) || SAME_CONTEXT.has(name) || name === 'each' || name === 'with';
    if (!isHelper && params.length > 0) report({ file: inFile, line: callee.loc.start.line, message: `unknown helper "${name}"` });
    if (!isHelper) resolve(callee, stack, inFile);
    for (const p of params) resolve(p, stack, inFile);
    for (const pair of hash?.pairs ?? []) resolve(pair.value, stack, inFile);
  };

  const visit = (node: Node, stack: unknown[], inFile: string) => {
    switch (node.type) {
      case 'MustacheStatement': {
        const m = node as hbs.AST.MustacheStatement;
        checkCall(m.path, m.params, m.hash, stack, inFile);
        return;
      }
      case 'BlockStatement': {
        const b = node as hbs.AST.BlockStatement;
        const name = b.path.type === 'PathExpression' ? (b.path as hbs.AST.PathExpression).original : '';
        checkCall(b.path, b.params, b.hash, stack, inFile);
        const target = b.params[0] ? resolve(b.params[0], stack, inFile) : undefined;
        if (name === 'each') walk(b.program, target === undefined ? stack : [...stack, elementOf(target)], inFile);
        else if (name === 'with') walk(b.program, target === undefined ? stack : [...stack, target], inFile);
        else walk(b.program, stack, inFile);
        walk(b.inverse, stack, inFile);
        return;
      }
      case 'PartialStatement': {
        const p = node as hbs.AST.PartialStatement;
        const name = p.name.type === 'PathExpression' ? (p.name as hbs.AST.PathExpression).original : '';
        const partial = set.partials[name];
        if (!partial) {
          report({ file: inFile, line: p.loc.start.line, message: `unknown partial "${name}"` });
          return;
        }
        // A partial sees the caller's data plus its hash (`{{> digest-cases cases=needsReply}}`).
        const extra: Record<string, unknown> = {};
        for (const pair of p.hash?.pairs ?? []) extra[pair.key] = resolve(pair.value, stack, inFile);
        const top = stack[stack.length - 1];
        const context = top !== null && typeof top === 'object' && !Array.isArray(top) ? { ...top, ...extra } : { ...extra };
        const key = `${name}\n${JSON.stringify(Object.keys(context))}`;
        if (checking.has(key)) return; // a partial calling itself
        checking.add(key);
        const ast = parse(partial.file, partial.source, report);
        if (ast) walk(ast, [...stack.slice(0, -1), context], partial.file);
        checking.delete(key);
        return;
      }
      default:
        return;
    }
  };

  const ast = parse(file, source, report);
  if (ast) walk(ast, [shape], file);
  return problems;
}

function elementOf(value: unknown): unknown {
  if (Array.isArray(value)) return value[0];
  if (value !== null && typeof value === 'object') return Object.values(value)[0];
  return undefined;
}

function parse(file: string, source: string, report: (p: TemplateProblem) => void): hbs.AST.Program | null {
  try {
    return Handlebars.parse(source);
  } catch (err) {
    const e = err as Error & { lineNumber?: number };
    // Parse errors say "on line N"; block mismatches end in "- N:C".
    const line = e.lineNumber ?? Number(/line (\d+)/.exec(e.message)?.[1] ?? /- (\d+):\d+/.exec(e.message)?.[1] ?? 1);
    report({ file, line, message: e.message.split('\n')[0]!.replace(/ - \d+:\d+$/, '') });
    return null;
  }
}
