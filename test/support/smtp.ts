import net from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import type { SmtpMailer } from '../../server/mail/config';

/** A message as a provider received it: the envelope and the parsed mail. */
export interface Received {
  from: string;
  recipients: string[];
  mail: ParsedMail;
  raw: string;
}

/** An in-process SMTP provider on a free local port. */
export interface Provider {
  port: number;
  received: Received[];
  /** Connections it saw, accepted or not. */
  connections: number;
  /** Connections open now. */
  open: number;
  /** How it answers from now on. */
  behaviour: Behaviour;
  close(): Promise<void>;
}

export type Behaviour = 'accept' | 'temporary' | 'permanent' | 'starttls';

/**
 * An smtp-server that accepts every message, or answers each recipient with a
 * 4xx or a 5xx, or offers STARTTLS with a certificate nobody trusts.
 */
export async function smtpProvider(behaviour: Behaviour = 'accept', options: { onData?: () => Promise<void> } = {}): Promise<Provider> {
  const received: Received[] = [];
  const state = { connections: 0, open: 0, behaviour };
  const opts: SMTPServerOptions = {
    authOptional: true,
    disabledCommands: behaviour === 'starttls' ? ['AUTH'] : ['AUTH', 'STARTTLS'],
    logger: false,
    // Runners keep their connections open between messages: a test's provider closes them when it is done, without waiting.
    closeTimeout: 50,
    onConnect(_session, callback) {
      state.connections += 1;
      state.open += 1;
      callback();
    },
    onClose() {
      state.open -= 1;
    },
    onRcptTo(address, _session, callback) {
      if (state.behaviour === 'temporary') return callback(Object.assign(new Error('Mailbox busy, try again later'), { responseCode: 451 }));
      if (state.behaviour === 'permanent') return callback(Object.assign(new Error(`No such user here: ${address.address}`), { responseCode: 550 }));
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const done = async () => {
          await options.onData?.();
          received.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            recipients: session.envelope.rcptTo.map((r) => r.address),
            mail: await simpleParser(raw),
            raw,
          });
        };
        done().then(() => callback(), callback);
      });
    },
  };
  const server = new SMTPServer(opts);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as net.AddressInfo).port;
  return {
    port,
    received,
    get connections() {
      return state.connections;
    },
    get open() {
      return state.open;
    },
    get behaviour() {
      return state.behaviour;
    },
    set behaviour(b: Behaviour) {
      state.behaviour = b;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A port where nothing listens: connections are refused. */
export async function refusingPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A server that accepts connections and never says a word. */
export async function hangingProvider(): Promise<Provider> {
  const sockets = new Set<net.Socket>();
  const state = { connections: 0 };
  const server = net.createServer((socket) => {
    state.connections += 1;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    received: [],
    behaviour: 'accept',
    get connections() {
      return state.connections;
    },
    get open() {
      return sockets.size;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A mailer entry of the configuration pointing at a local port. */
export function localMailer(key: string, port: number, priority = 0, timeout = 2000): SmtpMailer {
  return { key, type: 'smtp', priority, inbound: false, outbound: true, options: { host: '127.0.0.1', port, secure: false, timeout } };
}
