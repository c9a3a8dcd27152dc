// Zip archives read in-process with yauzl (zip64 included): the central directory is listed,
// each entry streamed from the file when asked for. Entry names are decoded as UTF-8 when
// they are valid UTF-8 and as GB18030 otherwise (Chinese Windows writes GBK names), and `\`
// is read as a separator.

import zlib from 'node:zlib';
import yauzl from 'yauzl';
import { decodeText } from '../../core/analyze/decode-text';
import { ArchiveRefused, type ArchiveEntry, type ArchiveFormat } from './archive-entry';

const INFLATE_CHUNK = 1024 * 1024;

const MADE_BY_UNIX = 3;
const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;
const FILE_ATTRIBUTE_REPARSE_POINT = 0x400;

export const zipFormat: ArchiveFormat = {
  label: 'zip',

  async list(file, maxEntries) {
    const zip = await openPath(file).catch(explainZip);
    const entries: ArchiveEntry[] = [];
    try {
      for (let entry = await nextEntry(zip); entry && entries.length <= maxEntries; entry = await nextEntry(zip)) {
        const name = entryName(entry);
        entries.push({
          name,
          ref: String(entry.relativeOffsetOfLocalHeader),
          size: entry.uncompressedSize,
          packedSize: entry.compressedSize,
          isDir: name.endsWith('/'),
          isLink: isLink(entry),
          encrypted: (entry.generalPurposeBitFlag & 0x1) !== 0,
        });
      }
    } finally {
      zip.close();
    }
    return entries;
  },

  async *open(file, wanted) {
    const zip = await openPath(file);
    try {
      for (let entry = await nextEntry(zip); entry; entry = await nextEntry(zip)) {
        if (String(entry.relativeOffsetOfLocalHeader) !== wanted.ref) continue;
        // The listing said unencrypted; the local header may still say otherwise.
        if ((entry.generalPurposeBitFlag & 0x1) !== 0) throw new ArchiveRefused('ENCRYPTED');
        for await (const chunk of await openInflated(zip, entry)) yield chunk as Buffer;
        return;
      }
    } finally {
      zip.close();
    }
  },
};

/** A zip cut short, or plain corruption; yauzl's own words are for the engineer's log. */
function explainZip(err: Error): never {
  if (/truncated|End of central directory/i.test(err.message)) throw new ArchiveRefused('ARCHIVE_TRUNCATED', err.message);
  throw new ArchiveRefused('ARCHIVE_CORRUPT', `yauzl: ${err.message}`);
}

/** Zip keeps a symlink as an ordinary entry whose mode (unix) or attributes (NTFS) say so. */
function isLink(entry: yauzl.Entry): boolean {
  const madeBy = entry.versionMadeBy >> 8;
  if (madeBy === MADE_BY_UNIX) return ((entry.externalFileAttributes >>> 16) & S_IFMT) === S_IFLNK;
  return (entry.externalFileAttributes & FILE_ATTRIBUTE_REPARSE_POINT) !== 0;
}

/** Decoded by what the bytes are: zip tools set (or omit) the UTF-8 flag wrongly. */
function entryName(entry: yauzl.Entry): string {
  const raw = entry.fileName as unknown as Buffer;
  const name = decodeText(raw);
  return name.replace(/\\/g, '/');
}

// validateEntrySizes: yauzl fails an entry whose inflated size differs from the declared one.
const ZIP_OPTIONS: yauzl.Options = {
  lazyEntries: true,
  decodeStrings: false,
  validateEntrySizes: true,
  strictFileNames: false,
  autoClose: false,
};

function openPath(path: string): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) => {
    yauzl.open(path, ZIP_OPTIONS, (err, zip) => (err || !zip ? reject(err ?? new Error('no zip')) : resolve(zip)));
  });
}

function nextEntry(zip: yauzl.ZipFile): Promise<yauzl.Entry | null> {
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      zip.removeListener('entry', onEntry);
      zip.removeListener('end', onEnd);
      zip.removeListener('error', onError);
    };
    const onEntry = (e: yauzl.Entry) => (cleanup(), resolve(e));
    const onEnd = () => (cleanup(), resolve(null));
    const onError = (err: Error) => (cleanup(), reject(err));
    zip.on('entry', onEntry);
    zip.on('end', onEnd);
    zip.on('error', onError);
    zip.readEntry();
  });
}

function openStream(zip: yauzl.ZipFile, entry: yauzl.Entry, options: yauzl.ZipFileOptions): Promise<NodeJS.ReadableStream> {
  return new Promise((resolve, reject) => {
    zip.openReadStream(entry, options, (err, stream) => (err || !stream ? reject(err ?? new Error('no stream')) : resolve(stream)));
  });
}

/**
 * The entry's bytes, inflated in 1 MB pieces with room to run ahead: yauzl's own inflater hands
 * out 16 KB pieces one at a time, which leaves the analyzer waiting on the zlib thread.
 */
async function openInflated(zip: yauzl.ZipFile, entry: yauzl.Entry): Promise<NodeJS.ReadableStream> {
  if (entry.compressionMethod !== 8) return openStream(zip, entry, {} as yauzl.ZipFileOptions);
  const raw = await openStream(zip, entry, { decompress: false } as yauzl.ZipFileOptions);
  // A read-ahead of a few chunks lets the zlib thread inflate while the analyzer scans (8 MB bought
  // no speed and cost 10 MB of peak RSS).
  const inflate = zlib.createInflateRaw({ chunkSize: INFLATE_CHUNK, readableHighWaterMark: 3 * INFLATE_CHUNK } as zlib.ZlibOptions);
  raw.on('error', (err: Error) => inflate.destroy(err));
  return raw.pipe(inflate);
}
