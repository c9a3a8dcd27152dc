// Case memory on the two outside development archives: closed threads written from a one-page
// brief by helpers who had read neither casebot's code nor the blind archive nor each other's,
// answered by engineers none of whom is in the config.
// - test/fixtures/memory-outside-dev: 43 threads; four unique causes are near misses at the
//   fingerprint; customers often quote the dialog's code.
// - test/fixtures/memory-outside-dev2: 42 threads written for the customers' own words; a third
//   quote a code, often incompletely; 17 threads have no usable logs.
// - test/fixtures/memory-outside-dev3: 42 threads whose five near misses the logs tell apart
//   (another driver, key, plug-in or bug check under the same rule and code).
// Unlike the blind set, these are for development: the ranking may be tuned on them, and their
// misses are read. `learn` must remember every thread; then each thread queries a memory of all
// the others with its first mail's words and its logs, as the live mailbox would.

import { SIMILARITY_THRESHOLD } from '../../src/core/memory/rank';
import {
  archiveFigures,
  evaluateArchive,
  expectEveryThreadLearned,
  sameProblemLabels,
  thresholdSweeps,
  type ArchiveEvaluation,
  OUTSIDE_DEV_DIR,
  OUTSIDE_DEV2_DIR,
  OUTSIDE_DEV3_DIR,
} from './labelled-archive';
import { metrics, shownRecall, wrongSuggestions } from './evaluate';

/** The thresholds swept, printed; the words-only threshold shows no more wrong suggestions than the combined one would. */
function sweepsTest(name: string, run: ArchiveEvaluation): void {
  test('threshold sweeps, printed; the words-only threshold adds no wrong suggestion', () => {
    process.stdout.write(thresholdSweeps(name, run));
    for (const ranked of [run.withFindings, run.descriptionOnly])
      expect(wrongSuggestions(ranked, run.queries, SIMILARITY_THRESHOLD).wrong).toBe(
        wrongSuggestions(ranked, run.queries, SIMILARITY_THRESHOLD, SIMILARITY_THRESHOLD).wrong,
      );
  });
}

function learnTest(dir: string, run: ArchiveEvaluation): void {
  test('learn remembers every closed thread, though none of its engineers is in the config', () => {
    expectEveryThreadLearned(dir, run);
  });
}

describe('outside development set 1', () => {
  const run = evaluateArchive(OUTSIDE_DEV_DIR);

  learnTest(OUTSIDE_DEV_DIR, run);

  test('the figures, printed for the README, with the misses named', () => {
    process.stdout.write(archiveFigures('outside development set', run.withFindings, run.descriptionOnly, run.queries));
    expect(metrics(run.withFindings, run.queries).queries).toBeGreaterThanOrEqual(30);
  });

  test('with findings: recall@3 ≥ 0.9 (as shown, threshold applied)', () => {
    expect(shownRecall(run.withFindings, run.queries, SIMILARITY_THRESHOLD)).toBeGreaterThanOrEqual(0.9);
  });

  test('from the description alone: recall@3 ≥ 0.7', () => {
    expect(metrics(run.descriptionOnly, run.queries).recallAt(3)).toBeGreaterThanOrEqual(0.7);
  });

  test('unique causes: ten queries, and no more than the four known near misses are shown anything', () => {
    const w = wrongSuggestions(run.withFindings, run.queries, SIMILARITY_THRESHOLD);
    expect(w.queries).toBe(10);
    expect(w.wrong).toBeLessThanOrEqual(4);
  });

  // Known miss, kept as a failing test with its reason (see README). The brief asked for near
  // misses, and four of the ten unique threads are near misses at the fingerprint: a CA USB-key
  // driver hang beside the EDR filter drivers (both 0xC1900101-0x30018, device-install-hang, no
  // driver named in the logs), a USB disk left plugged in beside the storage controllers (both
  // 0x20017, boot-failure-detected), a USB Wi-Fi bug check the analyzer reads only as the generic
  // SetupHost failure beside the encryption group (0x40017), and an access-denied Start menu folder
  // beside the security products' service keys (mig-apply-object, error 5, 0x4000D). Only words
  // could tell them apart, and these customers' words do not; an outcome-only bundle must still
  // find its peers (the third point), so showing them is the price of that.
  test.failing('unique causes: at most one wrong suggestion in ten queries', () => {
    expect(wrongSuggestions(run.withFindings, run.queries, SIMILARITY_THRESHOLD).wrong).toBeLessThanOrEqual(1);
  });

  sweepsTest('outside development set', run);
});

describe('outside development set 2 (the customers’ own words)', () => {
  const run = evaluateArchive(OUTSIDE_DEV2_DIR);

  learnTest(OUTSIDE_DEV2_DIR, run);

  test('the figures, printed for the README, with the misses named', () => {
    process.stdout.write(archiveFigures('outside development set 2', run.withFindings, run.descriptionOnly, run.queries));
    expect(metrics(run.withFindings, run.queries).queries).toBe(32);
  });

  test('from the description alone: recall@3 ≥ 0.7', () => {
    expect(metrics(run.descriptionOnly, run.queries).recallAt(3)).toBeGreaterThanOrEqual(0.7);
  });

  // Known misses, kept as failing tests with their reasons (see README). recall@3 0.938, shown
  // 0.813: the misses are threads without logs whose customers quote no code and describe a
  // reboot, a black screen and a rollback in words every group uses ("重启了好几次，一直黑屏").
  test.failing('with findings: recall@3 ≥ 0.9 (as shown, threshold applied)', () => {
    expect(shownRecall(run.withFindings, run.queries, SIMILARITY_THRESHOLD)).toBeGreaterThanOrEqual(0.9);
  });

  // Three wrong: the brief's two near misses, a power cut in SAFE_OS beside the disk-protection
  // group (both 0xC1900101-0x20017) and USB peripherals hanging at first boot beside the
  // antivirus filter drivers (0x30018, "卡在三十几%" in both); and a corrupt ISO described in
  // words, shown a BCD case at 0.33.
  test.failing('unique causes: at most one wrong suggestion in ten queries', () => {
    expect(wrongSuggestions(run.withFindings, run.queries, SIMILARITY_THRESHOLD).wrong).toBeLessThanOrEqual(1);
  });

  sweepsTest('outside development set 2', run);
});

describe('outside development set 3 (near misses the logs tell apart)', () => {
  const run = evaluateArchive(OUTSIDE_DEV3_DIR);

  learnTest(OUTSIDE_DEV3_DIR, run);

  test('the figures, printed for the README, with the misses named', () => {
    process.stdout.write(archiveFigures('outside development set 3', run.withFindings, run.descriptionOnly, run.queries));
    expect(metrics(run.withFindings, run.queries).queries).toBe(32);
  });

  test('with findings: recall@3 ≥ 0.9 (ranked)', () => {
    expect(metrics(run.withFindings, run.queries).recallAt(3)).toBeGreaterThanOrEqual(0.9);
  });

  test('from the description alone: recall@3 ≥ 0.7', () => {
    expect(metrics(run.descriptionOnly, run.queries).recallAt(3)).toBeGreaterThanOrEqual(0.7);
  });

  test('unique causes: ten queries, and no more than the four known near misses are shown anything', () => {
    const w = wrongSuggestions(run.withFindings, run.queries, SIMILARITY_THRESHOLD);
    expect(w.queries).toBe(10);
    expect(w.wrong).toBeLessThanOrEqual(4);
  });

  // Known misses, kept as failing tests with their reasons (see README).
  // Four 同一问题 labels name another cause: a VMware VMCI device hang and the UKey group fail in
  // the same PnP specialize plug-in (spnpspec.dll, SYSPREP_SPECIALIZE_PNP, 0x5B4); the device is
  // named only in a line the set invented, which no rule reads.
  test.failing('同一问题（签名相同） is never said of another cause', () => {
    expect(sameProblemLabels(run.withFindings, run.queries).wrong).toBe(0);
  });

  // Shown 0.750: seven right answers rank in the top three under the threshold, all threads without
  // logs (their customers' words, and a code quoted in some).
  test.failing('with findings: recall@3 ≥ 0.9 (as shown, threshold applied)', () => {
    expect(shownRecall(run.withFindings, run.queries, SIMILARITY_THRESHOLD)).toBeGreaterThanOrEqual(0.9);
  });

  // Four wrong, all near misses the logs tell apart only in lines the set invented (a
  // DetectBootFailure bug check and faulting module, a device-install monitor, an Appraiser
  // inventory hard block) or by where the denied key lives (Control\Class, not services\<name>,
  // while a peer without logs knows only error 5).
  test.failing('unique causes: at most one wrong suggestion in ten queries', () => {
    expect(wrongSuggestions(run.withFindings, run.queries, SIMILARITY_THRESHOLD).wrong).toBeLessThanOrEqual(1);
  });

  sweepsTest('outside development set 3', run);
});
