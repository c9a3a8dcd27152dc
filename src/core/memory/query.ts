// The query for a case: its findings' fingerprints, and as text the customer's description with
// the findings' titles and causes. When the analyzer found nothing, the error lines' templates
// and codes stand in for findings (fingerprintAnalysis makes that fingerprint).

import type { Knowledge } from '../analyze/knowledge';
import type { Analysis } from '../types';
import { fingerprintAnalysis, type FingerprintOptions } from './fingerprint';
import { maskLine } from './templates';
import { searchTokens, type CodeSynonyms } from './tokens';
import type { MemoryQuery } from './types';

export function memoryQuery(
  description: string,
  analysis: Analysis | null,
  knowledge: Pick<Knowledge, 'rules'>,
  synonyms: CodeSynonyms,
  options: FingerprintOptions = {},
): MemoryQuery {
  const findings = analysis ? fingerprintAnalysis(analysis, knowledge, options) : [];
  const analyzed = analysis
    ? analysis.findings.length > 0
      ? analysis.findings.flatMap((f) => [f.title, f.summary])
      : analysis.errorLines.map((e) => maskLine(e.text))
    : [];
  return { findings, textTokens: searchTokens([description, ...analyzed].join('\n'), synonyms) };
}
