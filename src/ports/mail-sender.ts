// Sending mail over SMTP: the raw bytes as built, to the envelope given.

export interface MailSender {
  send(envelope: { from: string; to: string[] }, raw: Buffer): Promise<void>;
}

/** SMTP's answer decides: a 5xx is final, anything else (4xx, no connection) is worth a retry. */
export class SendError extends Error {
  constructor(
    message: string,
    readonly permanent: boolean,
  ) {
    super(message);
  }
}
