import { explainGle, gleOf, lookupCode } from './decode-code';
import type { CodeInfo, CodeTable } from './knowledge';

const tables: Record<CodeTable, Map<number, CodeInfo>> = {
  win32: new Map([
    [2, { name: 'ERROR_FILE_NOT_FOUND', meaning: '系统找不到指定的文件' }],
    [5, { name: 'ERROR_ACCESS_DENIED', meaning: '拒绝访问' }],
  ]),
  hresult: new Map(),
  ntstatus: new Map(),
};

test('the gle suffix setup writes is found, in any case of hex digits', () => {
  expect(gleOf('… Status: c0000024[gle=0x00000002]')).toBe('0x00000002');
  expect(gleOf('… failed![GLE=0X0000000A]')).toBe('0X0000000A');
  expect(gleOf('Error: 0x80004005')).toBeNull();
});

test('a gle is explained as the Win32 error it is', () => {
  expect(explainGle('BCD: Failed to clone store. Status: c0000024[gle=0x00000002]', tables)).toBe(
    'gle=0x00000002 ERROR_FILE_NOT_FOUND：系统找不到指定的文件',
  );
  expect(explainGle('MIG Error 5 while applying object[gle=0x5]', tables)).toBe('gle=0x5 ERROR_ACCESS_DENIED：拒绝访问');
});

test('gle=0 (no error) and unknown codes get no note', () => {
  expect(explainGle('Operation completed[gle=0x00000000]', tables)).toBeNull();
  expect(explainGle('Something[gle=0x0000abcd]', tables)).toBeNull();
});

test('an HRESULT wrapping a Win32 error is read as that error', () => {
  expect(lookupCode(tables, 'hresult', 0x80070005)?.name).toBe('ERROR_ACCESS_DENIED');
});
