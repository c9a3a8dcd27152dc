// Private temp folders for the bytes of one mail's downloads, removed once the mail is handled.

export interface Scratch {
  /** A new folder only casebot's user can read. */
  folder(): string;
  remove(folder: string): void;
}
