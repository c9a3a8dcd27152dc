import * as iconv from 'iconv-lite';
import * as yauzl from 'yauzl';
import {
  BUNDLE_ENTRIES,
  BundleSpec,
  FAILURE_ANCHORS,
  buildBundleZip,
  buildSetupactLog,
  buildSetupdiagLog,
  encodeLog,
} from './bundle-factory';

const MIG: BundleSpec = {
  failure: { kind: 'mig-registry', service: 'Ensec64', value: 'DisplayName', error: 5 },
  hostname: 'TJ-PC0153',
  date: '2022-04-15',
};
const BCD: BundleSpec = {
  failure: { kind: 'bcd-clone', guid: '725f2633-5298-49c7-9016-202d172da460' },
  hostname: 'TJ-PC0153',
  date: '2022-04-20',
};
const NONE: BundleSpec = { failure: { kind: 'none' }, date: '2022-05-03' };

// The seed case's own lines (CAS-06079-G5K3W1, mails 2 and 5), which the factory must reproduce.
const SEED_MIG_LINES = [
  '2022-04-15 15:00:13, Warning               MIG    Could not create object HKLM\\SYSTEM\\CurrentControlSet\\services\\Ensec64 [DisplayName]. Exception class Mig::SideAwareWin32Exception: Error while creating registry value HKLM\\SYSTEM\\CurrentControlSet\\services\\Ensec64 [DisplayName]: 拒绝访问。 [0x00000005] void __cdecl Mig::CRegistryDataStore::Create(class Mig::CDataUnit *)',
  '2022-04-15 15:00:13, Info                  MIG    Error 5 during apply of object HKLM\\SYSTEM\\CurrentControlSet\\services\\Ensec64 [DisplayName]. Will ask shell application for resolution.',
  '2022-04-15 15:00:13, Error                 SP     Error WRITE, 0x00000005 while gathering/applying object: Registry, HKLM\\SYSTEM\\CurrentControlSet\\services\\Ensec64 [DisplayName]. Will return 0',
  '2022-04-15 15:00:13, Error                 MIG    Error 5 while applying object HKLM\\SYSTEM\\CurrentControlSet\\services\\Ensec64 [DisplayName]. Shell application requested abort',
  '2022-04-15 15:00:13, Error      [0x08097b] MIG    Abandoning apply due to error for object: HKLM\\SYSTEM\\CurrentControlSet\\services\\Ensec64 [DisplayName]',
];
const SEED_BCD_FIRST_LINES = [
  '2022-04-20 16:59:41, Info                  IBSLIB OSRollbackService::CBootFilesRestoreCheckpoint::Finalize: G:\\bootmgr does not exist, skip.',
  '2022-04-20 16:59:43, Error                 IBSLIB BCD: Failed to get registry value. Status: c0000024[gle=0x00000002]',
  '2022-04-20 16:59:43, Error                 IBSLIB BCD: Failed to get registry value. Status: c0000024[gle=0x00000002]',
  '2022-04-20 16:59:43, Error                 IBSLIB BCD: BcdCopyObjectEx: Failed to enumerate source elements. Target: {725f2633-5298-49c7-9016-202d172da460} Flags: 0x4 Status: c0000024[gle=0x00000002]',
];
const SEED_BCD_CONTINUATION =
  'void __cdecl OSRollbackService::CBootFilesRestoreCheckpoint::Finalize(const unsigned short *,struct OSRollbackService::ICheckpointParameters *)[gle=0x00000006]';

const STAMPED = /^(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}), (\S.{20}) (\S.{5}) ./;

/** Entries of a zip as raw name bytes → data, without letting the reader rewrite '\' to '/'. */
function unzip(buf: Buffer): Promise<Map<string, Buffer>> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(buf, { lazyEntries: true, decodeStrings: false }, (err, zip) => {
      if (err || !zip) return reject(err ?? new Error('no zip'));
      const out = new Map<string, Buffer>();
      zip.on('entry', (entry: yauzl.Entry) => {
        const name = (entry.fileName as unknown as Buffer).toString('latin1');
        zip.openReadStream(entry, (e, stream) => {
          if (e || !stream) return reject(e ?? new Error('no stream'));
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('end', () => {
            out.set(name, Buffer.concat(chunks));
            zip.readEntry();
          });
          stream.on('error', reject);
        });
      });
      zip.on('end', () => resolve(out));
      zip.on('error', reject);
      zip.readEntry();
    });
  });
}

function splitCrlf(text: string): string[] {
  expect(text.endsWith('\r\n')).toBe(true);
  expect(/[^\r]\n/.test(text)).toBe(false);
  return text.slice(0, -2).split('\r\n');
}

function noiseLines(lines: string[], failureLines: number[]): string[] {
  const injected = new Set(failureLines);
  return lines.filter((_, i) => !injected.has(i + 1));
}

describe('bundle-factory', () => {
  let migZip: Buffer;

  beforeAll(async () => {
    migZip = await buildBundleZip(MIG);
  });

  test('same spec gives byte-identical zips; a different spec does not', async () => {
    expect((await buildBundleZip(MIG)).equals(migZip)).toBe(true);
    expect((await buildBundleZip({ ...MIG, hostname: 'TJ-PC0154' })).equals(migZip)).toBe(false);
  });

  test('zip entry names use backslashes, as the collector writes them', async () => {
    const names = [...(await unzip(migZip)).keys()];
    expect(names).toEqual([
      'UpgradeLog\\setupdiag.log',
      'UpgradeLog\\C_Win_BT_Panther\\setupact.log',
      'UpgradeLog\\C_Win_BT_Panther\\setuperr.log',
      'UpgradeLog\\C_Windows_Panther\\setupact.log',
      'SystemInfo\\systeminfo.txt',
    ]);
    for (const n of names) expect(n).not.toContain('/');
  });

  test('setupact.log in the zip is GBK, CRLF, at least 20,000 well-formed lines with monotonic time', async () => {
    const entries = await unzip(migZip);
    const raw = entries.get(BUNDLE_ENTRIES.setupact);
    expect(raw).toBeDefined();
    const bytes = raw ?? Buffer.alloc(0);
    expect(bytes.subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf]))).toBe(false);
    const text = iconv.decode(bytes, 'gbk');
    const { text: expected } = buildSetupactLog(MIG);
    expect(text).toBe(expected);
    const lines = splitCrlf(text);
    expect(lines.length).toBeGreaterThanOrEqual(20000);
    let last = '';
    for (const line of lines) {
      const m = STAMPED.exec(line);
      if (!m) {
        expect(line.startsWith('void __cdecl')).toBe(true); // the one continuation record
        continue;
      }
      const stamp = m[1] ?? '';
      expect(stamp >= last).toBe(true);
      last = stamp;
    }
    expect(lines.filter((l) => /[\u4e00-\u9fff]/.test(l)).length).toBeGreaterThan(0);
  });

  test('mig-registry: failureLines point at the seed lines, with the parameters, after GBK decoding', () => {
    const { text, failureLines } = buildSetupactLog(MIG);
    const lines = splitCrlf(iconv.decode(encodeLog(text, 'gbk'), 'gbk'));
    const injected = failureLines.map((n) => lines[n - 1] ?? '');
    expect(injected.slice(0, 5)).toEqual(SEED_MIG_LINES);
    expect(injected).toContain('2022-04-15 15:00:13, Error                 MOUPG  MoSetupPlatform: Finalize reported failure!');
    expect(injected.some((l) => l.includes('Operation failed: Update Boot Code. Error: 0x80070005'))).toBe(true);
    // the service appears nowhere else, and the failure sits near the end
    const mentions = lines.flatMap((l, i) => (l.includes('services\\Ensec64') ? [i + 1] : []));
    expect(mentions).toEqual(failureLines.slice(0, 5));
    expect(failureLines[0] ?? 0).toBeGreaterThan(20000);
    expect(lines.length - (failureLines[failureLines.length - 1] ?? 0)).toBeGreaterThan(200);
  });

  test('mig-registry parameters are substituted', () => {
    const spec: BundleSpec = {
      ...MIG,
      failure: { kind: 'mig-registry', service: 'Foo32', value: 'ImagePath', error: 32 },
      noiseLines: 500,
    };
    const { text, failureLines } = buildSetupactLog(spec);
    const lines = splitCrlf(text);
    const injected = failureLines.map((n) => lines[n - 1] ?? '');
    for (const l of injected.slice(0, 5)) expect(l).toContain('HKLM\\SYSTEM\\CurrentControlSet\\services\\Foo32 [ImagePath]');
    expect(injected[0]).toContain('[0x00000020]');
    expect(injected[2]).toContain('Error WRITE, 0x00000020');
    expect(injected[3]).toContain('Error 32 while applying object');
    expect(injected.join('\n')).toContain('0x80070020');
  });

  test('bcd-clone: the seed block with the GUID, including the continuation line', () => {
    const { text, failureLines } = buildSetupactLog(BCD);
    const lines = splitCrlf(iconv.decode(encodeLog(text, 'gbk'), 'gbk'));
    const injected = failureLines.map((n) => lines[n - 1] ?? '');
    expect(injected).toHaveLength(22);
    expect(injected.slice(0, 4)).toEqual(SEED_BCD_FIRST_LINES);
    expect(injected[9]).toBe(SEED_BCD_CONTINUATION);
    expect(injected[21]).toBe('2022-04-20 16:59:43, Info                  SP     SetupPlatform opted-in to sqm');
    const mentions = lines.flatMap((l, i) => (l.includes('725f2633-5298-49c7-9016-202d172da460') ? [i + 1] : []));
    expect(mentions).toEqual([failureLines[3]]);
  });

  test('bcd-clone accepts a braced, upper-case GUID', () => {
    const { text } = buildSetupactLog({
      ...BCD,
      failure: { kind: 'bcd-clone', guid: '{3F2A9C1E-8B47-4D21-A6F0-5C9E7D1B2A34}' },
      noiseLines: 300,
    });
    expect(text).toContain('Target: {3f2a9c1e-8b47-4d21-a6f0-5c9e7d1b2a34} Flags: 0x4');
  });

  test.each([
    ['mig-registry', MIG],
    ['bcd-clone', BCD],
    ['none', NONE],
  ])('%s: noise contains none of the failure anchors', (_kind, spec) => {
    const { text, failureLines } = buildSetupactLog(spec);
    const noise = noiseLines(splitCrlf(text), failureLines).join('\n');
    for (const anchor of [...FAILURE_ANCHORS, '拒绝访问。']) expect(noise).not.toContain(anchor);
  });

  test('none: no injected lines, ends with rollback activity', () => {
    const { text, failureLines } = buildSetupactLog(NONE);
    expect(failureLines).toEqual([]);
    const lines = splitCrlf(text);
    expect(lines.length).toBeGreaterThanOrEqual(20000);
    expect(lines[lines.length - 1]).toMatch(/Rollback/);
  });

  test('noiseLines is honoured as a minimum', () => {
    const { text } = buildSetupactLog({ ...MIG, noiseLines: 3000 });
    const n = splitCrlf(text).length;
    expect(n).toBeGreaterThanOrEqual(3000);
    expect(n).toBeLessThan(3600);
  });

  test('setupdiag.log: profile, system information and the failure block', async () => {
    const mig = buildSetupdiagLog(MIG);
    expect(mig.startsWith('Matching Profile found: FindMigGatherApplyFailure - A9964E6C-A2A8-45FF-B6B5-25E0BD71428E\r\n')).toBe(true);
    expect(mig).toContain('\tMachine Name = TJ-PC0153\r\n');
    expect(mig).toContain('\tHostOSLanguageId = 2052\r\n');
    expect(mig).toContain(
      'Error: SetupDiag reports Migration Gather/Apply operation failure.\r\nLast Phase: Finalize\r\nLast Operation: Update Boot Code\r\n' +
        'Migration Operation: apply\r\nMigration Obejct: HKLM\\SYSTEM\\CurrentControlSet\\services\\Ensec64 [DisplayName]\r\nError:  5\r\n',
    );
    expect(mig).toContain('\tUpgradeEndTime = 2022/4/15 15:00:13\r\n');
    const bcd = buildSetupdiagLog(BCD);
    expect(bcd).toContain('Matching Profile found: FindSPFatalError');
    expect(bcd).toContain(
      'Error: SetupDiag reports Fatal Error.\r\nLast Setup Phase = Finalize\r\nLast Setup Operation: Update Boot Code\r\nError: 0x80004005\r\n',
    );
    const none = buildSetupdiagLog(NONE);
    expect(none).not.toContain('Matching Profile found');
    expect(none).toContain('SetupDiag was unable to match to any known failure signatures.');
    // the copy in the zip is the same text, UTF-8 with a BOM
    const raw = (await unzip(migZip)).get(BUNDLE_ENTRIES.setupdiag) ?? Buffer.alloc(0);
    expect(raw.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    expect(raw.subarray(3).toString('utf8')).toBe(mig);
  });

  test('setuperr.log holds exactly the Error records of setupact.log', async () => {
    const entries = await unzip(migZip);
    const err = splitCrlf(iconv.decode(entries.get(BUNDLE_ENTRIES.setuperr) ?? Buffer.alloc(0), 'gbk'));
    expect(err.length).toBeGreaterThan(5);
    for (const l of err) expect(STAMPED.exec(l)?.[2]?.startsWith('Error')).toBe(true);
    expect(err).toContain(SEED_MIG_LINES[4]);
    const info = splitCrlf(iconv.decode(entries.get(BUNDLE_ENTRIES.systeminfo) ?? Buffer.alloc(0), 'gbk'));
    expect(info).toContain('主机名:           TJ-PC0153');
  });

  test('encodeLog: gbk without BOM, utf8bom and utf16le with BOMs', () => {
    const text = '2022-04-15 15:00:13, Info                  MIG    拒绝访问。\r\n';
    const gbk = encodeLog(text, 'gbk');
    expect(gbk.includes(Buffer.from([0xbe, 0xdc, 0xbe, 0xf8]))).toBe(true); // 拒绝
    expect(iconv.decode(gbk, 'gbk')).toBe(text);
    const u8 = encodeLog(text, 'utf8bom');
    expect(u8.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    expect(u8.subarray(3).toString('utf8')).toBe(text);
    const u16 = encodeLog(text, 'utf16le');
    expect(u16.subarray(0, 2)).toEqual(Buffer.from([0xff, 0xfe]));
    expect(u16.subarray(2).toString('utf16le')).toBe(text);
  });

  test('the whole log survives a GBK round trip (no unmappable characters)', () => {
    for (const spec of [MIG, BCD, NONE]) {
      const { text } = buildSetupactLog(spec);
      expect(iconv.decode(encodeLog(text, 'gbk'), 'gbk')).toBe(text);
    }
  });

  test('the encoding option changes the log bytes in the zip', async () => {
    const entries = await unzip(await buildBundleZip({ ...MIG, noiseLines: 400, encoding: 'utf16le' }));
    const raw = entries.get(BUNDLE_ENTRIES.setupact) ?? Buffer.alloc(0);
    expect(raw.subarray(0, 2)).toEqual(Buffer.from([0xff, 0xfe]));
    expect(raw.subarray(2).toString('utf16le')).toBe(buildSetupactLog({ ...MIG, noiseLines: 400 }).text);
  });
});
