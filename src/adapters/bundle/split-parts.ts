// The parts of a split archive, recognised by name: `logs.zip.001`/`logs.7z.001` (7-Zip and
// HJSplit), `logs.z01 … logs.zip` (WinZip/Info-ZIP spanning) and `logs.part1.rar` (WinRAR).
// A mail's parts of one archive become one group, in order, with the missing parts named.

export type SplitStyle = 'numbered' | 'zip-spanned' | 'rar-parts';

export interface SplitName {
  /** The archive's name without the part suffix (`logs.7z`, `logs.zip`, `logs.rar`). */
  base: string;
  style: SplitStyle;
  /** 1-based; the `.zip` of a spanned zip is the last part and gets Infinity. */
  index: number;
}

export function splitName(filename: string): SplitName | null {
  let m = /^(.*\.(?:zip|7z|rar|cab|tar|gz))\.(\d{3})$/i.exec(filename);
  if (m) return { base: m[1]!, style: 'numbered', index: Number(m[2]) };
  m = /^(.*)\.z(\d{2})$/i.exec(filename);
  if (m) return { base: `${m[1]}.zip`, style: 'zip-spanned', index: Number(m[2]) };
  m = /^(.*)\.part(\d+)\.rar$/i.exec(filename);
  if (m) return { base: `${m[1]}.rar`, style: 'rar-parts', index: Number(m[2]) };
  return null;
}

export type Grouped<T> = { kind: 'single'; item: T } | { kind: 'split'; base: string; style: SplitStyle; parts: T[]; missing: string[] };

/**
 * Items grouped into single attachments and split archives, in the order each first appears.
 * A plain `logs.zip` joins the group of `logs.z01` when one is there: it is that archive's last part.
 */
export function groupParts<T>(items: T[], nameOf: (item: T) => string): Grouped<T>[] {
  const spannedBases = new Set(
    items
      .map((i) => splitName(nameOf(i)))
      .filter((s) => s?.style === 'zip-spanned')
      .map((s) => s!.base.toLowerCase()),
  );
  const groups = new Map<string, { base: string; style: SplitStyle; parts: { index: number; item: T }[] }>();
  const order: (string | T)[] = [];
  for (const item of items) {
    const name = nameOf(item);
    const split =
      splitName(name) ?? (spannedBases.has(name.toLowerCase()) ? { base: name, style: 'zip-spanned' as const, index: Infinity } : null);
    if (!split) {
      order.push(item);
      continue;
    }
    const key = `${split.style}:${split.base.toLowerCase()}`;
    let group = groups.get(key);
    if (!group) {
      group = { base: split.base, style: split.style, parts: [] };
      groups.set(key, group);
      order.push(key);
    }
    // A part mailed twice (a resend in the same mail) is read once.
    if (!group.parts.some((p) => p.index === split.index)) group.parts.push({ index: split.index, item });
  }
  return order.map((o): Grouped<T> => {
    const group = typeof o === 'string' ? groups.get(o) : undefined;
    if (!group) return { kind: 'single', item: o as T };
    group.parts.sort((a, b) => a.index - b.index);
    return {
      kind: 'split',
      base: group.base,
      style: group.style,
      parts: group.parts.map((p) => p.item),
      missing: missingParts(
        group.base,
        group.style,
        group.parts.map((p) => p.index),
      ),
    };
  });
}

/** The names of the parts that a complete set would have and this one lacks (as far as names tell). */
function missingParts(base: string, style: SplitStyle, indexes: number[]): string[] {
  const numbered = indexes.filter(Number.isFinite);
  const last = Math.max(0, ...numbered);
  const missing: string[] = [];
  for (let i = 1; i <= last; i++) if (!numbered.includes(i)) missing.push(partName(base, style, i));
  if (style === 'zip-spanned' && !indexes.includes(Infinity)) missing.push(base);
  return missing;
}

/** The name part `index` of `base` has in `style`. */
export function partName(base: string, style: SplitStyle, index: number): string {
  switch (style) {
    case 'numbered':
      return `${base}.${String(index).padStart(3, '0')}`;
    case 'zip-spanned':
      return Number.isFinite(index) ? `${base.replace(/\.zip$/i, '')}.z${String(index).padStart(2, '0')}` : base;
    case 'rar-parts':
      return `${base.replace(/\.rar$/i, '')}.part${index}.rar`;
  }
}
