import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerAddress, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import { isDatabaseUnavailable } from '../../db/unavailable';
import { errorText, logLine } from '../../log';
import type { MailConfig } from '../config';
import { readMessage } from './message';
import { receiveMail, type InboundContext } from './receive';
import { classifyRecipient, type Recipient } from './recipients';

/** A relay never needs more recipients than this for one mail to Trellis. */
const MAX_RECIPIENTS = 20;
/** Relays hold few connections at once; a bound keeps a flood from taking every socket and database connection. */
const MAX_CLIENTS = 50;

function smtpError(code: number, message: string): Error {
  return Object.assign(new Error(message), { responseCode: code });
}

export interface ListenerOptions {
  mail: MailConfig;
  secret: string;
}

/**
 * Trellis's inbound SMTP listener: accepts mail for reply addresses and the
 * create address only, refuses other recipients at RCPT (550) and oversized
 * mail during DATA (552), and answers 250 only once the mail is applied and
 * recorded. An unexpected failure answers 451, so the sending relay retries
 * and nothing is lost; the Message-ID makes a retry of an applied mail a no-op.
 */
export class InboundListener {
  private readonly server: SMTPServer;

  constructor(
    private readonly ctx: InboundContext,
    private readonly opts: ListenerOptions,
  ) {
    this.server = new SMTPServer({
      logger: false,
      // Mail arrives from an MX or a provider's inbound route, never from people logging in.
      authOptional: true,
      disabledCommands: ['AUTH', 'STARTTLS'],
      size: opts.mail.maxMessageBytes,
      maxRecipients: MAX_RECIPIENTS,
      maxClients: MAX_CLIENTS,
      maxAllowedUnauthenticatedCommands: false,
      socketTimeout: 60_000,
      closeTimeout: 10_000,
      onRcptTo: (address, _session, callback) => callback(this.checkRecipient(address)),
      onData: (stream, session, callback) => {
        this.receive(stream, session).then(
          () => callback(null, 'Message accepted'),
          (err: Error) => callback(err),
        );
      },
    });
    this.server.on('error', (err) => ctx.log(logLine({ level: 'error', msg: 'inbound mail listener', error: errorText(err) })));
  }

  private recipientOf(address: string): Recipient | null {
    return classifyRecipient(this.opts.mail, this.opts.secret, address);
  }

  private checkRecipient(address: SMTPServerAddress): Error | null {
    return this.recipientOf(address.address) ? null : smtpError(550, `No such recipient here: ${address.address}`);
  }

  private async receive(stream: SMTPServerDataStream, session: SMTPServerSession): Promise<void> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      size += chunk.length;
      // Past the limit the rest is read and thrown away: the answer is 552 either way.
      if (size <= this.opts.mail.maxMessageBytes) chunks.push(chunk);
    }
    if (stream.sizeExceeded) throw smtpError(552, `Message exceeds the maximum size of ${this.opts.mail.maxMessageBytes} bytes`);
    const envelopeFrom = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
    let message;
    try {
      message = await readMessage(Buffer.concat(chunks), envelopeFrom);
    } catch (err) {
      this.ctx.log(logLine({ level: 'warn', msg: 'inbound mail', outcome: 'unreadable', reason: (err as Error).message }));
      throw smtpError(554, 'The message could not be read as mail');
    }
    try {
      for (const rcpt of session.envelope.rcptTo) {
        const recipient = this.recipientOf(rcpt.address);
        if (recipient) await receiveMail(this.ctx, recipient, message);
      }
    } catch (err) {
      // An outage is no bug: the relay keeps the mail and tries again, as it does for any 451.
      this.ctx.log(
        isDatabaseUnavailable(err)
          ? logLine({ level: 'warn', msg: 'inbound mail', outcome: 'deferred', reason: 'database unreachable' })
          : logLine({ level: 'error', msg: 'inbound mail', outcome: 'failed', error: errorText(err) }),
      );
      throw smtpError(451, 'Temporary failure while applying the message; please try again later');
    }
  }

  listen(): Promise<AddressInfo> {
    const { host, port } = this.opts.mail.inbound!;
    return new Promise((resolve, reject) => {
      const server = this.server.server;
      const failed = (err: Error) => reject(err);
      server.once('error', failed);
      this.server.listen(port, host, () => {
        server.off('error', failed);
        resolve(server.address() as AddressInfo);
      });
    });
  }

  /** Stops taking connections; mail in flight gets up to ten seconds to finish. */
  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
