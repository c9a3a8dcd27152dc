// The query for a case: its findings' fingerprints, and as text the customer's own words. When
// the analyzer found nothing, the error lines' templates and codes stand in for findings
// (fingerprintAnalysis makes that fingerprint). Without logs, the result code a customer copies
// from the error dialog is the outcome to compare. The text leaves out what the fingerprint
// already compares: the findings' titles (one rule's boilerplate would make every case of that
// rule read alike) and, when there is a fingerprint, the codes.

import type { Knowledge } from '../analyze/knowledge';
import type { Analysis } from '../types';
import { fingerprintAnalysis, type FingerprintOptions } from './fingerprint';
import { searchTokens, type CodeSynonyms } from './tokens';
import type { FindingFingerprint, MemoryQuery } from './types';

export function memoryQuery(
  description: string,
  analysis: Analysis | null,
  knowledge: Pick<Knowledge, 'rules'>,
  synonyms: CodeSynonyms,
  options: FingerprintOptions = {},
): MemoryQuery {
  const analyzed = analysis ? fingerprintAnalysis(analysis, knowledge, options) : [];
  const described = analyzed.length === 0 ? describedOutcome(description) : null;
  const findings = described ? [described] : analyzed;
  const words = searchTokens(description, synonyms);
  return { findings, textTokens: findings.length > 0 ? words.filter((t) => !/^x[0-9a-f]{8}$/.test(t)) : words };
}

/** Setup's result code as the error dialog shows it, with the extend code when given: `0xC1900101 - 0x20017`. */
const DIALOG_CODE = /\b0x([89a-f][0-9a-f]{7})(?:\s*[-–—_]\s*0x([0-9a-f]{1,8}))?\b/i;

/** The outcome a customer quotes (`错误代码0xC1900101-0x20017`) as a fingerprint of that outcome alone. */
export function describedOutcome(description: string): FindingFingerprint | null {
  const m = DIALOG_CODE.exec(description.normalize('NFKC'));
  if (!m) return null;
  const bare = (code: string) => code.toLowerCase().replace(/^0*/, '');
  const code = `0x${m[1]!.toUpperCase()}${m[2] ? ` - 0x${m[2].toUpperCase()}` : ''}`;
  return {
    rule: null,
    key: null,
    title: `客户描述的错误码 ${code}`,
    codes: [`pair:${bare(m[1]!)}-${m[2] ? bare(m[2]) : ''}`],
    entities: [],
    templates: {},
    described: true,
  };
}
