// Recognises a file by its content, not its name: a file called setupact.log that is not
// a setup log must not be read as one.

import type { LogKind } from '../types';

// Excerpts pasted from a log sometimes lose the timestamp: the level column padded to its width still tells.
const PANTHER_LINE =
  /^(?:\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}, (?:Info|Warning|Error|Fatal Error|Perf)\b|(?:Info|Warning|Error|Fatal Error) {3,}[A-Z][A-Za-z]{1,6} {2,}\S)/;
const SETUPDIAG_TEXT = ['SetupDiag reports', 'Matching Profile found:', 'SetupDiag was unable to match', 'System Information:'];

/** How many leading lines are sampled; enough to skip a banner, few enough to stay cheap. */
const SAMPLE_LINES = 200;

export function classifyLog(text: string): LogKind {
  const head = text.slice(0, 64 * 1024);
  if (/<SetupDiag[\s>]/.test(head) || (head.includes('"ProfileName"') && head.includes('"SystemInfo"'))) return 'setupdiag';
  if (head.includes('SetupDiag') && SETUPDIAG_TEXT.some((m) => head.includes(m))) return 'setupdiag';
  if (/<CompatReport[\s>]/.test(head)) return 'compat-xml';
  if (/<MigLog[\s>]/.test(head)) return 'miglog';
  if (head.includes('[Device Install Log]') || /^>>> {2}\[/m.test(head) || head.includes('[Boot Session:')) return 'setupapi';
  const lines = head.split(/\r?\n/, SAMPLE_LINES).filter((l) => l.trim() !== '');
  if (lines.length === 0) return 'other';
  const panther = lines.filter((l) => PANTHER_LINE.test(l.replace(/^\uFEFF/, ''))).length;
  return panther / lines.length >= 0.5 ? 'panther' : 'other';
}
