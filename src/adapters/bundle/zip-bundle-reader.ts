// The bundle reader under the name src/main.ts and src/cli/main.ts still import it by; they
// move to ArchiveBundleReader (./archive-bundle-reader) and this file goes.

export { ArchiveBundleReader as ZipBundleReader } from './archive-bundle-reader';
