// What an engineer changed in casebot's draft before sending it, in words a team lead can count:
// sentences removed and added, commands changed, and which of casebot's own template sentences
// were removed or rewritten. Only template text is ever named, never the customer's or the
// log's: a sentence is reported as its template line with the filled-in parts shown as `…`.

export interface EditSummary {
  removed: number;
  added: number;
  /** Command lines (bcdedit, reg, dism…) in one text and not the other, as verb and switch only. */
  commandsChanged: string[];
  /** casebot's template sentences that did not go out as drafted, `…` where the data was. */
  templateSentences: string[];
}

/** One sentence of a template, as a pattern over rendered text. */
export interface TemplateSentence {
  /** The template the sentence is in (`diagnosis`, `partials/log-instructions`). */
  template: string;
  /** The sentence with its mustaches shown as `…`. */
  text: string;
  pattern: RegExp;
}

const COMMAND =
  /^(?:bcdedit|reg|dism|sfc|powercfg|fltmc|chkdsk|diskpart|sc|net|del|rd|rmdir|pnputil|wevtutil|setup(?:\.exe)?|cleanmgr|vssadmin|mountvol)\b/i;

/** Sentences of mail text: split at Chinese and Western sentence ends and at line ends. */
export function sentencesOf(text: string): string[] {
  return text
    .split(/\n|(?<=[。！？；])/)
    .map((s) => s.replace(/\s+/g, ' ').trim())
    .filter((s) => s.length >= 4);
}

/**
 * The static sentences of the templates (`templates/*.hbs`, partials), each a pattern where a
 * mustache may stand for any text. Block helpers and partial calls are markup, not text.
 */
export function templateSentences(sources: { templates: Record<string, string>; partials: Record<string, string> }): TemplateSentence[] {
  const out: TemplateSentence[] = [];
  const add = (template: string, source: string) => {
    for (const line of source.split('\n')) {
      // What an inline {{#if}} adds may or may not be there: the whole block stands for any text.
      let words = line;
      for (let before = ''; before !== words;) {
        before = words;
        words = words.replace(/\{\{#(?:if|unless)[^}]*\}\}[^{]*?(?:\{\{else\}\}[^{]*?)?\{\{\/(?:if|unless)\}\}/g, '{{…}}');
      }
      // The remaining block tags ({{#each}}, {{/each}}, {{> partial}}) carry no words of their own.
      words = words.replace(/\{\{[#/^>!][^}]*\}\}|\{\{else[^}]*\}\}/g, '');
      for (const sentence of sentencesOf(words)) {
        const parts = sentence.split(/\{\{[^}]*\}\}/);
        const literal = parts.join('').replace(/[\s…：:，,。]/g, '');
        // A line that is all data (`{{this}}`, `{{title}}`) says nothing of the template.
        if (literal.length < 4 || !/\p{L}/u.test(literal)) continue;
        const text = parts.join('…').replace(/…+/g, '…');
        const pattern = new RegExp(
          `^${parts.map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\s+/g, '\\s*')).join('.*?')}$`,
          's',
        );
        if (!out.some((t) => t.template === template && t.text === text)) out.push({ template, text, pattern });
      }
    }
  };
  for (const [name, source] of Object.entries(sources.templates)) if (!name.startsWith('digest')) add(name, source);
  for (const [name, source] of Object.entries(sources.partials)) if (!name.startsWith('digest')) add(`partials/${name}`, source);
  return out;
}

export function editSummary(draft: string, sent: string, templates: TemplateSentence[]): EditSummary {
  const squash = (s: string) => s.replace(/\s+/g, '');
  const draftSentences = sentencesOf(draft);
  const sentSentences = sentencesOf(sent);
  const sentSet = new Set(sentSentences.map(squash));
  const draftSet = new Set(draftSentences.map(squash));
  const removed = draftSentences.filter((s) => !sentSet.has(squash(s)));
  const added = sentSentences.filter((s) => !draftSet.has(squash(s)));
  const commands = (lines: string[]) => new Set(lines.filter((l) => COMMAND.test(l)).map(squash));
  const [draftCommands, sentCommands] = [commands(draftSentences), commands(sentSentences)];
  const changed = [
    ...draftSentences.filter((l) => COMMAND.test(l) && !sentCommands.has(squash(l))),
    ...sentSentences.filter((l) => COMMAND.test(l) && !draftCommands.has(squash(l))),
  ];
  return {
    removed: removed.length,
    added: added.length,
    commandsChanged: [...new Set(changed.map(commandShape))],
    templateSentences: [...new Set(removed.flatMap((s) => templates.find((t) => t.pattern.test(s))?.text ?? []))],
  };
}

/** `bcdedit /delete {725f…}` → `bcdedit /delete`: the command, not the machine's values. */
function commandShape(line: string): string {
  const [verb, ...rest] = line.trim().split(/\s+/);
  const option = rest.find((w) => /^[/-][a-z]/i.test(w));
  return [verb!.toLowerCase(), option?.toLowerCase()].filter(Boolean).join(' ');
}
