// A real SMTP server on loopback (smtp-server) that keeps what it receives, and can be told to
// refuse (5xx), stall (4xx) or go away, for the sending tests.

import net from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface Received {
  from: string;
  to: string[];
  raw: Buffer;
  at: number;
}

export interface SmtpSink {
  port: number;
  received: Received[];
  /** 'ok' accepts; 'temporary' answers 451; 'permanent' answers 550. */
  mode: 'ok' | 'temporary' | 'permanent';
  stop(): Promise<void>;
  start(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

export async function startSmtpSink(): Promise<SmtpSink> {
  const port = await freePort();
  let server: SMTPServer | null = null;
  const sink: SmtpSink = {
    port,
    received: [],
    mode: 'ok',
    async start() {
      server = new SMTPServer({
        secure: false,
        authOptional: true,
        disabledCommands: ['STARTTLS'],
        logger: false,
        onData(stream, session, callback) {
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('end', () => {
            if (sink.mode === 'permanent') return callback(Object.assign(new Error('mailbox unavailable'), { responseCode: 550 }));
            if (sink.mode === 'temporary') return callback(Object.assign(new Error('try again later'), { responseCode: 451 }));
            sink.received.push({
              from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
              to: session.envelope.rcptTo.map((r) => r.address),
              raw: Buffer.concat(chunks),
              at: Date.now(),
            });
            callback();
          });
        },
      });
      await new Promise<void>((resolve, reject) => {
        server!.once('error', reject);
        server!.listen(port, '127.0.0.1', () => resolve());
      });
    },
    async stop() {
      const s = server;
      server = null;
      if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
    },
  };
  await sink.start();
  return sink;
}
