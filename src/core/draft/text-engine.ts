// One Handlebars instance for every text casebot writes: rule texts and mail templates.
// Output is plain text, so nothing is HTML-escaped.

import Handlebars from 'handlebars';

export type TextEngine = typeof Handlebars;

const HIVES: Record<string, string> = {
  HKLM: 'HKEY_LOCAL_MACHINE',
  HKCU: 'HKEY_CURRENT_USER',
  HKCR: 'HKEY_CLASSES_ROOT',
  HKU: 'HKEY_USERS',
  HKCC: 'HKEY_CURRENT_CONFIG',
};

/** The helpers every text may call (checked by check-template.ts). */
export const TEXT_HELPERS = ['longHive', 'eq', 'inc', 'mb', 'size', 'winPath'] as const;

export function createTextEngine(): TextEngine {
  const hb = Handlebars.create();
  // `HKLM\SYSTEM\…` → `HKEY_LOCAL_MACHINE\SYSTEM\…`, as regedit shows it.
  hb.registerHelper('longHive', (key: unknown) =>
    String(key ?? '').replace(/^(HKLM|HKCU|HKCR|HKU|HKCC)(?=\\)/i, (h) => HIVES[h.toUpperCase()] ?? h),
  );
  hb.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  hb.registerHelper('inc', (n: unknown) => Number(n) + 1);
  hb.registerHelper('mb', (bytes: unknown) => `${Math.round(Number(bytes) / 1024 / 1024)} MB`);
  hb.registerHelper('size', (bytes: unknown) =>
    Number(bytes) >= 1024 * 1024 ? `${Math.round(Number(bytes) / 1024 / 1024)} MB` : `${Math.round(Number(bytes) / 1024)} KB`,
  );
  // A path inside a bundle as the customer's Explorer shows it.
  hb.registerHelper('winPath', (path: unknown) => String(path ?? '').replace(/\//g, '\\'));
  return hb;
}

export function compileText(engine: TextEngine, source: string): (data: unknown) => string {
  return engine.compile(source, { noEscape: true, strict: false });
}
