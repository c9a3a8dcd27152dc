// MailSender over SMTP (nodemailer), paced by bottleneck: at most `maxPerWindow` mails per
// window and `maxConcurrent` at once. bottleneck only paces; what must not be lost lives in the
// store's outbox, since bottleneck's queue dies with the process.

import { smtpFailure } from '../../core/delivery-failure';
import Bottleneck from 'bottleneck';
import nodemailer from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport';
import type { AccessTokens } from '../../ports/access-tokens';
import { SendError, type MailSender } from '../../ports/mail-sender';

export interface SmtpSettings {
  host: string;
  port: number;
  secure: boolean;
  user: string | null;
  password: string | null;
  /** XOAUTH2 login with these tokens instead of the password. */
  tokens?: AccessTokens | null;
  pacing: { maxPerWindow: number; windowSeconds: number; maxConcurrent: number };
}

/** An SMTP conversation that hangs must not hold a pacing slot forever. */
const SEND_TIMEOUT_MS = 60_000;

export class PacedSmtpSender implements MailSender {
  private readonly transport: nodemailer.Transporter<SMTPTransport.SentMessageInfo>;
  private readonly limiter: Bottleneck;

  constructor(settings: SmtpSettings) {
    this.transport = nodemailer.createTransport({
      host: settings.host,
      port: settings.port,
      secure: settings.secure,
      ...(settings.user
        ? { auth: settings.tokens ? xoauth2(settings.user, settings.tokens) : { user: settings.user, pass: settings.password ?? '' } }
        : {}),
      connectionTimeout: 15_000,
      greetingTimeout: 15_000,
      socketTimeout: SEND_TIMEOUT_MS,
      // Loopback test servers have no certificate; real ones are checked.
      tls: { rejectUnauthorized: !['127.0.0.1', 'localhost', '::1'].includes(settings.host) },
    });
    // bottleneck refreshes reservoirs on a 250 ms grid.
    const interval = Math.max(250, Math.round((settings.pacing.windowSeconds * 1000) / 250) * 250);
    this.limiter = new Bottleneck({
      maxConcurrent: settings.pacing.maxConcurrent,
      reservoir: settings.pacing.maxPerWindow,
      reservoirRefreshAmount: settings.pacing.maxPerWindow,
      reservoirRefreshInterval: interval,
    });
  }

  async send(envelope: { from: string; to: string[] }, raw: Buffer): Promise<void> {
    try {
      await this.limiter.schedule({ expiration: SEND_TIMEOUT_MS * 2 }, () => this.transport.sendMail({ envelope, raw }));
    } catch (err) {
      const failure = err as { responseCode?: number; code?: string; message: string };
      throw new SendError(failure.message, smtpFailure(failure) === 'permanent');
    }
  }

  /** Connects and logs in without sending: `casebot check --connect`. */
  async verify(): Promise<void> {
    await this.transport.verify();
  }

  async close(): Promise<void> {
    this.transport.close();
    await this.limiter.stop({ dropWaitingJobs: false });
  }
}

/** XOAUTH2 login: nodemailer asks for a token at each login (`renew` after a refusal). */
function xoauth2(user: string, tokens: AccessTokens): SMTPTransport.Options['auth'] {
  return {
    type: 'OAuth2',
    user,
    provisionCallback: (_user, renew, callback) => {
      // The short expiry makes nodemailer ask again next time; the token source keeps its own cache.
      tokens.token(renew).then(
        (token) => callback(null, token, Date.now() + 1000),
        (err: Error) => callback(err, '', 0),
      );
    },
  };
}
