// What kept casebot from reading a customer's logs, as values: a stable code and the facts of
// the case (file, entry, limit, size). The sentence a customer or an engineer reads is rendered
// from templates/problems.yaml, so tests and the digest use the code and no tool's own words
// (7-Zip's stderr, a socket error) reach a draft: those go to the engineer's log as `detail`.

export interface ProblemFields {
  // An attachment or an archive.
  FILE_TOO_LARGE: { file: string; limitBytes: number };
  TNEF_INVALID: { file: string };
  TNEF_CORRUPT: { file: string };
  SPLIT_PARTS_MISSING: { file: string; missing: string[] };
  SPLIT_RAR: { file: string };
  SPLIT_IN_TNEF: { file: string };
  PATH_TRAVERSAL: { file: string; entry: string; why: 'drive' | 'absolute' | 'parent' | 'control' };
  LINK_ENTRY: { file: string; entry: string };
  NO_LOG_FILES: { file: string };
  ARCHIVE_CORRUPT: { file: string; format: string };
  ARCHIVE_TRUNCATED: { file: string };
  ENCRYPTED: { file: string; entry: string | null };
  NESTING_TOO_DEEP: { file: string; entry: string; limit: number };
  TOO_MANY_NESTED_ARCHIVES: { file: string; limit: number };
  TOO_MANY_ENTRIES: { file: string; limit: number };
  ENTRY_TOO_LARGE: { file: string; entry: string; limitBytes: number };
  ZIP_BOMB: { file: string; entry: string | null };
  UNPACKED_TOO_LARGE: { file: string; limitBytes: number };
  ENTRY_SIZE_MISMATCH: { file: string; entry: string };
  ENTRY_TRUNCATED: { file: string; entry: string };
  UNKNOWN_FORMAT: { file: string };
  TOOL_MISSING: { file: string; format: string; tool: string };
  // A mail.
  TOO_MANY_ATTACHMENTS: { count: number; limit: number };
  MAIL_TOO_LARGE: { sizeBytes: number; limitBytes: number };
  UPLOAD_NOT_FOUND: Record<never, never>;
  // A download link.
  UNTRUSTED_HOST: { url: string; host: string };
  NOT_HTTP: { url: string };
  BAD_LINK: { url: string };
  PRIVATE_ADDRESS: { url: string };
  IP_ADDRESS_LINK: { url: string; host: string };
  DNS_FAILED: { url: string; host: string };
  TOO_MANY_REDIRECTS: { url: string };
  CONNECT_TIMEOUT: { url: string };
  READ_TIMEOUT: { url: string; seconds: number };
  DOWNLOAD_TIMEOUT: { url: string };
  DOWNLOAD_TOO_LARGE: { url: string; limitBytes: number };
  PORTAL_DENIED: { url: string };
  LINK_NOT_FOUND: { url: string };
  PORTAL_BUSY: { url: string };
  PORTAL_ERROR: { url: string; status: number };
  PORTAL_REFUSED: { url: string; status: number };
  TLS_INVALID: { url: string };
  CONNECT_FAILED: { url: string };
  DOWNLOAD_INTERRUPTED: { url: string };
  DOWNLOAD_FAILED: { url: string };
  EMPTY_DOWNLOAD: { url: string };
  EMPTY_ZIP: { url: string };
  NOT_A_BUNDLE: { url: string };
  HTML_PAGE: { url: string };
  // The logs themselves.
  FILE_UNREADABLE: { file: string };
  EMPTY_LOG: { file: string };
  NOT_SETUP_LOG: { file: string };
  NO_FILES: Record<never, never>;
  NO_SETUP_LOG: Record<never, never>;
  NOT_UPGRADE: { scenario: string };
  RUN_INCOMPLETE: { at: string; step: string | null };
  CAUSE_UNKNOWN: Record<never, never>;
  /** A sentence stored before problems had codes (an old database). */
  LEGACY: { text: string };
}

export type ProblemCode = keyof ProblemFields;

/** `detail` is a tool's or library's own words, for engineers: no template may read it. */
export type Problem = { [C in ProblemCode]: { code: C; detail?: string } & ProblemFields[C] }[ProblemCode];

/** A problem of a link, before the fetcher's caller says which link. */
export type LinkProblem = Extract<Problem, { url: string }>;
export type WithoutUrl<P> = P extends unknown ? Omit<P, 'url'> : never;

export function problem<C extends ProblemCode>(code: C, fields: ProblemFields[C], detail?: string): Problem {
  return (detail ? { code, ...fields, detail } : { code, ...fields }) as Problem;
}

/** Thrown where a problem is found, caught where it is recorded. */
export class ProblemError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail ? `${problem.code}: ${problem.detail}` : problem.code);
  }
}

/** Problems as stored: an old row holds sentences, a new one coded values. */
export function storedProblems(raw: unknown): Problem[] {
  if (!Array.isArray(raw)) return [];
  return raw.map((p): Problem => (typeof p === 'string' ? { code: 'LEGACY', text: p } : (p as Problem)));
}

/** How many of each code, most first: what the digest counts. */
export function problemCounts(problems: Problem[]): { code: ProblemCode; count: number }[] {
  const counts = new Map<ProblemCode, number>();
  for (const p of problems) counts.set(p.code, (counts.get(p.code) ?? 0) + 1);
  return [...counts].map(([code, count]) => ({ code, count })).sort((a, b) => b.count - a.count || a.code.localeCompare(b.code));
}

/** A typed example of every code: what each template in problems.yaml is checked against. */
export const PROBLEM_SAMPLES: { [C in ProblemCode]: ProblemFields[C] } = {
  FILE_TOO_LARGE: { file: 'logs.zip', limitBytes: 1 << 30 },
  TNEF_INVALID: { file: 'winmail.dat' },
  TNEF_CORRUPT: { file: 'winmail.dat' },
  SPLIT_PARTS_MISSING: { file: 'logs.7z', missing: ['logs.7z.002'] },
  SPLIT_RAR: { file: 'logs.part1.rar' },
  SPLIT_IN_TNEF: { file: 'logs.7z' },
  PATH_TRAVERSAL: { file: 'logs.zip', entry: '../evil.log', why: 'parent' },
  LINK_ENTRY: { file: 'logs.zip', entry: 'link.log' },
  NO_LOG_FILES: { file: 'logs.zip' },
  ARCHIVE_CORRUPT: { file: 'logs.zip', format: 'zip' },
  ARCHIVE_TRUNCATED: { file: 'logs.zip' },
  ENCRYPTED: { file: 'logs.zip', entry: 'setupact.log' },
  NESTING_TOO_DEEP: { file: 'logs.zip', entry: 'a.zip/b.zip', limit: 3 },
  TOO_MANY_NESTED_ARCHIVES: { file: 'logs.zip', limit: 20 },
  TOO_MANY_ENTRIES: { file: 'logs.zip', limit: 10000 },
  ENTRY_TOO_LARGE: { file: 'logs.zip', entry: 'setupact.log', limitBytes: 1 << 30 },
  ZIP_BOMB: { file: 'logs.zip', entry: 'setupact.log' },
  UNPACKED_TOO_LARGE: { file: 'logs.zip', limitBytes: 4 << 30 },
  ENTRY_SIZE_MISMATCH: { file: 'logs.zip', entry: 'setupact.log' },
  ENTRY_TRUNCATED: { file: 'logs.zip', entry: 'setupact.log' },
  UNKNOWN_FORMAT: { file: 'logs.bin' },
  TOOL_MISSING: { file: 'logs.7z', format: '7z', tool: '7z' },
  TOO_MANY_ATTACHMENTS: { count: 25, limit: 20 },
  MAIL_TOO_LARGE: { sizeBytes: 60 << 20, limitBytes: 50 << 20 },
  UPLOAD_NOT_FOUND: {},
  UNTRUSTED_HOST: { url: 'https://example.com/logs.zip', host: 'example.com' },
  NOT_HTTP: { url: 'ftp://example.com/logs.zip' },
  BAD_LINK: { url: 'https://' },
  PRIVATE_ADDRESS: { url: 'https://10.0.0.1/logs.zip' },
  IP_ADDRESS_LINK: { url: 'https://203.0.113.5/logs.zip', host: '203.0.113.5' },
  DNS_FAILED: { url: 'https://cduc.example/logs.zip', host: 'cduc.example' },
  TOO_MANY_REDIRECTS: { url: 'https://cduc.example/logs.zip' },
  CONNECT_TIMEOUT: { url: 'https://cduc.example/logs.zip' },
  READ_TIMEOUT: { url: 'https://cduc.example/logs.zip', seconds: 30 },
  DOWNLOAD_TIMEOUT: { url: 'https://cduc.example/logs.zip' },
  DOWNLOAD_TOO_LARGE: { url: 'https://cduc.example/logs.zip', limitBytes: 1 << 30 },
  PORTAL_DENIED: { url: 'https://cduc.example/logs.zip' },
  LINK_NOT_FOUND: { url: 'https://cduc.example/logs.zip' },
  PORTAL_BUSY: { url: 'https://cduc.example/logs.zip' },
  PORTAL_ERROR: { url: 'https://cduc.example/logs.zip', status: 503 },
  PORTAL_REFUSED: { url: 'https://cduc.example/logs.zip', status: 400 },
  TLS_INVALID: { url: 'https://cduc.example/logs.zip' },
  CONNECT_FAILED: { url: 'https://cduc.example/logs.zip' },
  DOWNLOAD_INTERRUPTED: { url: 'https://cduc.example/logs.zip' },
  DOWNLOAD_FAILED: { url: 'https://cduc.example/logs.zip' },
  EMPTY_DOWNLOAD: { url: 'https://cduc.example/logs.zip' },
  EMPTY_ZIP: { url: 'https://cduc.example/logs.zip' },
  NOT_A_BUNDLE: { url: 'https://cduc.example/logs.zip' },
  HTML_PAGE: { url: 'https://cduc.example/logs.zip' },
  FILE_UNREADABLE: { file: 'Panther/setupact.log' },
  EMPTY_LOG: { file: 'Panther/setupact.log' },
  NOT_SETUP_LOG: { file: 'Panther/setupact.log' },
  NO_FILES: {},
  NO_SETUP_LOG: {},
  NOT_UPGRADE: { scenario: '全新安装' },
  RUN_INCOMPLETE: { at: '2022-04-15 14:10:37', step: 'SetupPhaseDownload' },
  CAUSE_UNKNOWN: {},
  LEGACY: { text: '附件 logs.zip 无法读取。' },
};
