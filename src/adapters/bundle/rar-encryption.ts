// Whether a RAR archive is password-protected. bsdtar (libarchive 3.6) lists encrypted RAR
// entries like any other and unpacks them as noise, so the headers are walked here: RAR 4
// marks encrypted headers in the archive header (0x0080) and encrypted files in the file
// header (0x0004); RAR 5 has an archive-encryption header (type 4) or a file-encryption record
// (type 1) in a file's extra area.

import fs from 'node:fs';

const RAR4_SIGNATURE = Buffer.from('Rar!\x1a\x07\x00', 'latin1');
const RAR5_SIGNATURE = Buffer.from('Rar!\x1a\x07\x01\x00', 'latin1');
/** Headers are small; a longer one is corruption, left for bsdtar to report. */
const MAX_HEADER = 64 * 1024;

export async function isEncryptedRar(path: string, maxHeaders: number): Promise<boolean> {
  const file = await fs.promises.open(path, 'r');
  try {
    const read = async (at: number, length: number): Promise<Buffer> => {
      const buffer = Buffer.alloc(length);
      const { bytesRead } = await file.read(buffer, 0, length, at);
      return buffer.subarray(0, bytesRead);
    };
    const head = await read(0, 8);
    if (head.equals(RAR5_SIGNATURE)) return await rar5(read, maxHeaders);
    if (head.subarray(0, 7).equals(RAR4_SIGNATURE)) return await rar4(read, maxHeaders);
    return false;
  } finally {
    await file.close();
  }
}

type Reader = (at: number, length: number) => Promise<Buffer>;

async function rar4(read: Reader, maxHeaders: number): Promise<boolean> {
  let at = 7;
  for (let n = 0; n < maxHeaders; n++) {
    const h = await read(at, 11);
    if (h.length < 7) return false;
    const type = h[2]!;
    const flags = h.readUInt16LE(3);
    const size = h.readUInt16LE(5);
    if (type === 0x73 && (flags & 0x0080) !== 0) return true;
    if (type === 0x74 && (flags & 0x0004) !== 0) return true;
    if (type === 0x7b || size < 7) return false;
    // LONG_BLOCK: a data area follows the header, its size first in the header body.
    const data = (flags & 0x8000) !== 0 && h.length >= 11 ? h.readUInt32LE(7) : 0;
    at += size + data;
  }
  return false;
}

async function rar5(read: Reader, maxHeaders: number): Promise<boolean> {
  let at = 8;
  for (let n = 0; n < maxHeaders; n++) {
    const sizeField = await read(at + 4, 3);
    const headerSize = vint(sizeField, 0);
    if (!headerSize || headerSize.value > MAX_HEADER) return false;
    const start = at + 4 + headerSize.length;
    const header = await read(start, headerSize.value);
    if (header.length < headerSize.value) return false;
    const type = vint(header, 0);
    const flags = type && vint(header, type.next);
    if (!type || !flags) return false;
    if (type.value === 4) return true;
    let pos = flags.next;
    const extra = (flags.value & 0x01) !== 0 ? vint(header, pos) : null;
    if (extra) pos = extra.next;
    const data = (flags.value & 0x02) !== 0 ? vint(header, pos) : null;
    if ((type.value === 2 || type.value === 3) && extra && hasEncryptionRecord(header.subarray(header.length - extra.value))) return true;
    if (type.value === 5) return false;
    at = start + headerSize.value + (data?.value ?? 0);
  }
  return false;
}

function hasEncryptionRecord(area: Buffer): boolean {
  let pos = 0;
  while (pos < area.length) {
    const size = vint(area, pos);
    const type = size && vint(area, size.next);
    if (!size || !type) return false;
    if (type.value === 1) return true;
    pos = size.next + size.value;
  }
  return false;
}

/** RAR 5's variable-length integer: 7 bits a byte, low first, high bit set on all but the last. */
function vint(b: Buffer, at: number): { value: number; length: number; next: number } | null {
  let value = 0;
  for (let i = 0; i < 8 && at + i < b.length; i++) {
    const byte = b[at + i]!;
    value += (byte & 0x7f) * 2 ** (7 * i);
    if ((byte & 0x80) === 0) return { value, length: i + 1, next: at + i + 1 };
  }
  return null;
}
