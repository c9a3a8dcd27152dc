// Sending mail over SMTP: the raw bytes as built, to the envelope given.

export interface MailSender {
  send(envelope: { from: string; to: string[] }, raw: Buffer): Promise<void>;
}

/** A send that failed, and whether trying again can help (core/delivery-failure.ts decides). */
export class SendError extends Error {
  constructor(
    message: string,
    readonly permanent: boolean,
  ) {
    super(message);
  }
}
