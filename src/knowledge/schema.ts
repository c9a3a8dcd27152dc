// The shape of the knowledge data files. Every field an engineer writes is checked here.

import { z } from 'zod';

export const CATEGORIES = [
  'compat',
  'disk',
  'driver',
  'migration',
  'boot',
  'rollback',
  'crash',
  'image',
  'servicing',
  'setup-platform',
  'profile',
  'sysprep',
  'language-edition',
  'outcome',
] as const;

const codeEntry = z.object({ name: z.string(), meaning: z.string() }).strict();
const factName = z.string().regex(/^[A-Za-z][A-Za-z0-9]*$/, 'a fact name is letters and digits');

export const ruleSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'rule ids are kebab-case'),
    status: z.enum(['stable', 'experimental', 'deprecated']),
    level: z.enum(['low', 'medium', 'high']),
    category: z.enum(CATEGORIES),
    setupdiag: z.array(z.string()).default([]),
    description: z.string().optional(),
    title: z.string().min(1),
    summary: z.string().min(1),
    resolution: z.string().min(1),
    signals: z
      .array(
        z
          .object({
            log: z.enum(['panther', 'setupdiag', 'compat-xml', 'setupapi', 'miglog']),
            role: z.enum(['trigger', 'detail']).default('trigger'),
            // What a matching line proves: the cause itself (a component, driver, plugin or operation named,
            // a bugcheck), or only the run's outcome (result and extend codes), from which a cause is inferred.
            proves: z.enum(['cause', 'outcome']).default('cause'),
            anchor: z.string().min(3, 'an anchor needs at least 3 characters to be selective'),
            pattern: z.string().min(1),
            ignoreCase: z.boolean().default(false),
            context: z
              .object({ before: z.number().int().min(0).max(50).default(0), after: z.number().int().min(0).max(50).default(0) })
              .strict()
              .default({ before: 0, after: 0 }),
          })
          .strict(),
      )
      .min(1),
    key: z.array(factName).default([]),
    derive: z.array(z.object({ from: factName, pattern: z.string() }).strict()).default([]),
    decode: z.record(factName, z.enum(['win32', 'hresult', 'ntstatus'])).default({}),
    evidenceContaining: z.array(factName).default([]),
    detailWindow: z.number().int().min(0).max(5000).default(40),
    // A generic profile (e.g. "setup platform reported a fatal error"): reported only when no
    // specific rule explains the failure, so the first real cause is not buried under its echo.
    fallback: z.boolean().default(false),
    product: factName.optional(),
    fix: z
      .array(
        z
          .object({ when: factName.optional(), unless: factName.optional(), text: z.string().min(1), commands: z.array(z.string().min(1)).default([]) })
          .strict(),
      )
      .min(1, 'every rule says how to fix what it finds'),
    references: z.array(z.string()).default([]),
  })
  .strict()
  .refine((r) => r.signals.some((s) => s.role === 'trigger'), { message: 'a rule needs at least one trigger signal', path: ['signals'] });

export type RuleData = z.infer<typeof ruleSchema>;

export const codesSchema = z
  .object({
    win32: z.record(z.string(), codeEntry).default({}),
    hresult: z.record(z.string(), codeEntry).default({}),
    ntstatus: z.record(z.string(), codeEntry).default({}),
  })
  .strict();

export const productsSchema = z
  .object({
    products: z.array(
      z
        .object({
          name: z.string().min(1),
          vendor: z.string().default(''),
          services: z.array(z.string().min(1)).min(1),
          note: z.string().default(''),
        })
        .strict(),
    ),
  })
  .strict();

const markers = z.array(z.string().min(3));
export const outcomesSchema = z
  .object({
    scenarios: z.array(z.object({ id: z.string(), name: z.string(), markers: markers.min(1), unless: markers.default([]) }).strict()).default([]),
    cancelled: markers.default([]),
    cancelledBy: markers.default([]),
    failed: markers,
    succeeded: markers,
    started: markers.default([]),
    ended: markers.default([]),
    rollback: markers.default([]),
    benignResults: z.array(z.string().regex(/^0x[0-9A-Fa-f]{1,8}$/, 'a hex code, e.g. 0x800704C7')).default([]),
    decisive: markers.default([]),
    progress: markers.default([]),
    collectNext: z.record(z.string(), z.array(z.string().min(1)).min(1)).default({}),
  })
  .strict();

export const extendCodesSchema = z
  .object({
    // `operations: false`: the code's last two digits are not an operation in this phase.
    phases: z.record(z.string(), codeEntry.extend({ operations: z.boolean().default(true) })),
    operations: z.record(z.string(), codeEntry),
  })
  .strict();

/** knowledge/terms.yaml: groups of words that say the same thing (case memory's search). */
export const termsSchema = z
  .object({
    terms: z.record(z.string().regex(/^[a-z0-9-]+$/), z.array(z.string().min(2)).min(2)),
  })
  .strict();

export const noiseSchema = z
  .object({
    noise: z.array(
      z
        .object({
          id: z.string().regex(/^[a-z0-9-]+$/),
          anchor: z.string().min(3),
          pattern: z.string().optional(),
          why: z.string().min(1),
        })
        .strict(),
    ),
  })
  .strict();

export const expectSchema = z
  .object({
    verdict: z.enum(['failed', 'succeeded', 'unknown', 'cancelled', 'incomplete', 'not-upgrade', 'not-setup-log']),
    findings: z
      .array(
        z
          .object({
            rule: z.string(),
            facts: z.record(z.string(), z.string()).default({}),
            evidenceLines: z.array(z.object({ file: z.string(), line: z.number().int().positive() }).strict()).default([]),
            actions: z.array(z.string()).default([]),
          })
          .strict(),
      )
      .default([]),
  })
  .strict();

export type ExpectData = z.infer<typeof expectSchema>;
