// The query for a case: its findings' fingerprints, and as text the customer's own words. When
// the analyzer found nothing, the error lines' templates and codes stand in for findings
// (fingerprintAnalysis makes that fingerprint). Without logs, the result code a customer copies
// from the error dialog is the outcome to compare. The text leaves out what the fingerprint
// already compares: the findings' titles (one rule's boilerplate would make every case of that
// rule read alike) and, when there is a fingerprint, the codes.

import type { Knowledge } from '../analyze/knowledge';
import type { Analysis } from '../types';
import { withoutSignature } from '../mail/signature';
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
  const words = searchTokens(withoutSignature(description), synonyms);
  return { findings, textTokens: findings.length > 0 ? words.filter((t) => !/^x[0-9a-f]{8}$/.test(t)) : words };
}

/**
 * Setup's result code as the error dialog shows it, with the extend code when given:
 * `0xC1900101 - 0x20017`. Customers often drop the `0x` (`C1900101-20017`); without it only the
 * families setup reports count (0xC19…, 0x8000…, 0x8007…, 0x800F…), so a stray hex word does not.
 */
const DIALOG_CODE =
  /(?<![0-9a-z])(?:0x([89a-f][0-9a-f]{7})|(c19[0-9a-f]{5}|800[07f][0-9a-f]{4}))(?:\s*[-–—_]\s*(?:0x)?([0-9a-f]{1,8}))?(?![0-9a-z])/gi;

/** The same code as a signed decimal, as event logs and some tools print it: `-1047526908` is 0xC1900204. */
const SIGNED_CODE = /(?<![\d.])-(\d{9,10})(?!\d)/g;

/**
 * The outcome a customer quotes (`错误代码0xC1900101-0x20017`) as a fingerprint of that outcome
 * alone; every code they name counts (`报错是C1900101还是80070005，同事说是80070005-4000D`).
 */
export function describedOutcome(description: string): FindingFingerprint | null {
  const bare = (code: string) => code.toLowerCase().replace(/^0*/, '');
  const text = description.normalize('NFKC');
  const quoted = [
    ...[...text.matchAll(DIALOG_CODE)].map((m) => ({ result: (m[1] ?? m[2])!, extend: m[3] ?? null })),
    ...[...text.matchAll(SIGNED_CODE)]
      .map((m) => (2 ** 32 - Number(m[1])).toString(16))
      .filter((hex) => /^(?:c19|800[07f])[0-9a-f]{5}$/.test(hex))
      .map((hex) => ({ result: hex, extend: null })),
  ];
  if (quoted.length === 0) return null;
  const shown = quoted.map(({ result, extend }) => `0x${result.toUpperCase()}${extend ? ` - 0x${extend.toUpperCase()}` : ''}`);
  return {
    rule: null,
    key: null,
    title: `客户描述的错误码 ${[...new Set(shown)].join('、')}`,
    codes: [...new Set(quoted.map(({ result, extend }) => `pair:${bare(result)}-${extend ? bare(extend) : ''}`))],
    entities: [],
    templates: {},
    described: true,
  };
}
