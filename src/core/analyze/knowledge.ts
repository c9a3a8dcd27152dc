// The analyzer's knowledge, compiled from the data files in knowledge/ by src/knowledge/load.ts.
// The core only reads these values; it never opens a file.

import type { LogKind } from '../types';

export type RenderText = (facts: Record<string, unknown>) => string;

export interface Signal {
  log: Exclude<LogKind, 'other'>;
  /** `trigger` signals make the rule fire; `detail` signals only add facts and evidence. */
  role: 'trigger' | 'detail';
  /** `cause`: the line names the cause itself; `outcome`: only result codes, from which a cause is inferred. */
  proves: 'cause' | 'outcome';
  /** A literal every matching line contains: found with indexOf before any regex runs. */
  anchor: string;
  pattern: RegExp;
  context: { before: number; after: number };
}

export interface Derivation {
  from: string;
  pattern: RegExp;
}

export interface FixTemplate {
  /** The step applies only when this fact is known (e.g. a product). */
  when: string | null;
  /** …and only when this fact is not known. */
  unless: string | null;
  text: RenderText;
  commands: RenderText[];
}

export interface Rule {
  id: string;
  category: string;
  level: 'low' | 'medium' | 'high';
  setupdiag: string[];
  signals: Signal[];
  /** Facts whose values tell one occurrence from another (e.g. the registry object). */
  key: string[];
  derive: Derivation[];
  /** Facts to decode with the code tables: fact name → table. */
  decode: Record<string, CodeTable>;
  /** Lines containing the value of one of these facts are evidence too. */
  evidenceContaining: string[];
  /** Window (lines) around a trigger inside which detail lines count as evidence. */
  detailWindow: number;
  /** Reported only when no specific (non-fallback) rule fired. */
  fallback: boolean;
  /** The fact naming a service or driver to look up in the products table. */
  productFact: string | null;
  title: RenderText;
  summary: RenderText;
  fix: FixTemplate[];
  resolution: RenderText;
  source: string;
}

export type CodeTable = 'win32' | 'hresult' | 'ntstatus';

export interface CodeInfo {
  name: string;
  meaning: string;
}

export interface Product {
  name: string;
  vendor: string;
  services: string[];
  note: string;
}

export interface Scenario {
  id: string;
  /** What the log is, in Chinese, for the report. */
  name: string;
  markers: string[];
  unless: string[];
}

export interface OutcomeMarkers {
  scenarios: Scenario[];
  cancelled: string[];
  /** The line that shows who cancelled (`User cancel confirmed`). */
  cancelledBy: string[];
  failed: string[];
  succeeded: string[];
  started: string[];
  ended: string[];
  rollback: string[];
  /** Result codes that are no failure (success, a user's cancel, a clean compat scan). */
  benignResults: string[];
  /** Fatal errors of a failing phase: the earliest before rollback is the run's decisive error. */
  decisive: string[];
  /** Lines that say where a run was (`Setup phase change:`). */
  progress: string[];
  /** What to ask for when nothing explains a failure, by phase (`FIRST_BOOT`…) or `default`; Chinese. */
  collectNext: Record<string, string[]>;
}

export interface ExtendCodes {
  /** `operations: false` where the last two digits are not an operation (SetupHost's own 0x5xxxx). */
  phases: Map<number, CodeInfo & { operations: boolean }>;
  operations: Map<number, CodeInfo>;
}

/** An error line that looks alarming but is known to be harmless. */
export interface NoisePattern {
  id: string;
  anchor: string;
  pattern: RegExp;
  why: string;
}

export interface Knowledge {
  rules: Rule[];
  codes: Record<CodeTable, Map<number, CodeInfo>>;
  /** Lower-cased service or driver name → product. */
  products: Map<string, Product>;
  outcomes: OutcomeMarkers;
  extend: ExtendCodes;
  noise: NoisePattern[];
  /** Group name → words that say the same thing (knowledge/terms.yaml), for case memory's search. */
  terms: Record<string, string[]>;
}
