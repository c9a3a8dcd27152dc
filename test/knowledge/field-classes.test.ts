// The classes of failure seen on real logs nobody here wrote (issue 18), each proven on logs
// built the way the field writes them: the seed case's GBK lines deep in an ASCII log, a stray
// Windows-1252 byte under a UTF-8 BOM, and real logs from public repositories (sources in
// test/fixtures/real-failures/README.md).

import fs from 'node:fs';
import path from 'node:path';
import iconv from 'iconv-lite';
import { analyzeBundle } from '../../src/core/analyze/analyze-bundle';
import { logFromBuffer } from '../../src/core/types';
import { loadKnowledge } from '../../src/knowledge/load';
import { readFolder } from '../../src/knowledge/log-files';

const root = path.join(__dirname, '../..');
const knowledge = loadKnowledge(path.join(root, 'knowledge'));
const realFailure = (name: string) => readFolder(path.join(root, 'test/fixtures/real-failures', name), ['expect.yaml']);
const seedLog = fs.readFileSync(path.join(root, 'knowledge/rules/mig-apply-object/fixtures/hit-seed-ensec64/UpgradeLog/C_Win_BT_Panther/setupact.log'));

test('GBK: Chinese first met after 100,000 ASCII lines is quoted exactly as Notepad shows it', async () => {
  const ascii = Buffer.from('2022-04-15 14:00:00, Info                  CONX   Windows::Compat::Appraiser::AppraiserSession::Run: 0 assets evaluated\r\n'.repeat(100_000));
  const analysis = await analyzeBundle([logFromBuffer('Panther/setupact.log', Buffer.concat([ascii, seedLog]))], knowledge);
  const evidence = analysis.findings.find((f) => f.rule === 'mig-apply-object')!.evidence.map((e) => e.text);
  const chinese = evidence.filter((t) => /[\u4e00-\u9fff]/.test(t));
  expect(chinese.length).toBeGreaterThan(0);
  expect(chinese.join('\n')).toContain('拒绝访问。');
  expect(evidence.join('\n')).not.toContain('\uFFFD');
  expect(analysis.files[0]!.encoding).toBe('gb18030');
});

test('UTF-8 with a BOM and a stray Windows-1252 byte stays UTF-8, the stray line reads as written', async () => {
  const bytes = Buffer.concat([
    Buffer.from([0xef, 0xbb, 0xbf]),
    Buffer.from('2023-05-06 10:00:00, Info                  CONX   Product Name = 专业版\r\n', 'utf8'),
    iconv.encode('2023-05-06 10:00:01, Info                  CONX   Microsoft® Windows® Operating System\r\n', 'windows-1252'),
    Buffer.from('2023-05-06 10:00:02, Error                 MIG    拒绝访问。\r\n', 'utf8'),
  ]);
  const analysis = await analyzeBundle([logFromBuffer('setupact.log', bytes)], knowledge);
  expect(analysis.files[0]!.encoding).toBe('utf8bom+windows-1252');
  expect(analysis.errorLines.map((e) => e.text)).toContain('2023-05-06 10:00:02, Error                 MIG    拒绝访问。');
});

test('a FIRST_BOOT rollback whose only named error is a sysprep specialize failure: the result first, that error quoted, no cause claimed', async () => {
  const analysis = await analyzeBundle(realFailure('firstboot-specialize-0x30018'), knowledge);
  expect(analysis.verdict).toBe('failed');
  expect(analysis.outcome).toMatchObject({ resultCode: '0xc1900101', extendCode: '0x30018', extendPhase: 'FIRST_BOOT', extendOperation: 'SYSPREP' });
  expect(analysis.outcome!.decisive.map((e) => e.text).join('\n')).toContain('Sysprep specialize offline failed. Error: 0x80070005');
  expect(analysis.findings.filter((f) => f.confidence === 'high')).toEqual([]);
  // The driver-hang reading rests on the extend code alone: a possibility, ranked under the decisive error.
  const hang = analysis.findings.find((f) => f.rule === 'device-install-hang')!;
  expect(hang).toMatchObject({ confidence: 'low', basis: 'outcome' });
  expect(analysis.findings[0]!.evidence.some((e) => e.text.includes('Run sysprep specialization offline'))).toBe(true);
});

test('a downlevel failure leads with its own result and the line that first logged it, not an earlier DISM error', async () => {
  const analysis = await analyzeBundle(realFailure('downlevel-disk-provisioning-0x80070032'), knowledge);
  expect(analysis.outcome).toMatchObject({ resultCode: '0x80070032', extendCode: '0x50013' });
  expect(analysis.outcome!.decisive[0]!.text).toContain('Disk provisioning is not available; hr = 0x80070032');
  const dism = analysis.findings.find((f) => f.rule === 'dism-image-session-failure')!;
  expect(dism.confidence).toBe('low');
  expect(dism.confidenceWhy).toContain('0x80070032');
});

test('an excerpt that only ends in CSetupManager::Execute(...): Result = … is a failure with that result', async () => {
  const excerpt = [
    '2023-11-02 09:41:10, Error                 SP     CExtractFilesFromWIM::DoExecute: Cannot extract file \\Windows\\System32\\Recovery\\winre.wim. Error 0x80070003[gle=0x00000003]',
    '2023-11-02 09:41:10, Error                 MOUPG  CSetupManager::ExecuteInstallMode(839): Result = 0x80070003',
    '2023-11-02 09:41:10, Error                 MOUPG  CSetupManager::ExecuteDownlevelMode(406): Result = 0x80070003',
    '2023-11-02 09:41:10, Error                 MOUPG  CSetupManager::Execute(239): Result = 0x80070003',
  ].join('\r\n');
  const analysis = await analyzeBundle([logFromBuffer('setuperr.log', Buffer.from(excerpt))], knowledge);
  expect(analysis.verdict).toBe('failed');
  expect(analysis.outcome?.resultCode).toBe('0x80070003');
  expect(analysis.outcome!.evidence.map((e) => e.text)).toEqual([expect.stringContaining('CSetupManager::Execute(239)')]);
  expect(analysis.outcome!.decisive[0]!.text).toContain('Cannot extract file');
});

test('a download that logs a transient BITS error every minute and just ends is incomplete, with where and when it stopped', async () => {
  const analysis = await analyzeBundle(realFailure('mct-download-bits-0x80070083-cancel'), knowledge);
  expect(analysis.verdict).toBe('incomplete');
  expect(analysis.outcome).toMatchObject({ lastStep: 'SetupPhaseDownload', lastAt: '2015-08-20 21:48:02' });
  expect(analysis.outcome!.evidence[0]!.text).toContain('Bits Error');
});

test('an empty setupact.log is called empty, not another program’s file', async () => {
  const analysis = await analyzeBundle([logFromBuffer('Panther/setupact.log', Buffer.alloc(0))], knowledge);
  expect(analysis.problems).toContainEqual({ code: 'EMPTY_LOG', file: 'Panther/setupact.log' });
  expect(analysis.problems.map((p) => p.code)).not.toContain('NOT_SETUP_LOG');
});

test('the decisive error starts where the unbroken run of errors before it began: the component that failed first', async () => {
  // DISM cannot find NewOS's dismprov.dll (0x80070002); setup then reports its own 0x8007001F.
  const analysis = await analyzeBundle(realFailure('t-safeos-apply-oc-status-dismprov-missing-0x8007001f'), knowledge);
  const decisive = analysis.outcome!.decisive.map((e) => e.text);
  expect(decisive[0]).toContain('Failed to get file version: C:\\$WINDOWS.~BT\\NewOS\\Windows\\System32\\Dism\\dismprov.dll');
  expect(decisive[1]).toContain('Could not restore OC status. Error: 0x8007001F');
  // The FoD and language validators' errors a few lines earlier were survived: an Info line ends the run.
  expect(decisive.join('\n')).not.toContain('80070032');
});
