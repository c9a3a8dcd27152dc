// Every limit casebot enforces on customer input, with the reason it exists.

export interface BundleLimits {
  /** A log bundle has dozens of files; thousands means a bomb or the wrong folder zipped. */
  maxEntries: number;
  /** The largest real setupact.log we have seen is a few hundred MB. */
  maxFileBytes: number;
  /** All files of one attachment together, so one mail cannot exhaust memory. */
  maxTotalBytes: number;
  /** Text logs deflate about 10–30×; far beyond that is a zip bomb. */
  maxCompressionRatio: number;
  /** Collectors nest one zip in another at most once or twice. */
  maxNestingDepth: number;
  /** A collector nests a handful of archives; hundreds is a 42.zip-style bomb fanning out. */
  maxNestedArchives: number;
  /**
   * An unpacking tool (7-Zip, bsdtar) that lists nothing, or sends no bytes, for this long is
   * stuck on a hostile archive: it is killed. Time the analyzer spends on the bytes is not counted.
   */
  toolIdleSeconds: number;
}

export const DEFAULT_BUNDLE_LIMITS: BundleLimits = {
  maxEntries: 5000,
  maxFileBytes: 512 * 1024 * 1024,
  maxTotalBytes: 1024 * 1024 * 1024,
  maxCompressionRatio: 200,
  maxNestingDepth: 3,
  maxNestedArchives: 50,
  toolIdleSeconds: 30,
};
