import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { Knex } from 'knex';
import nodemailer from 'nodemailer';
import type { SendMailOptions } from 'nodemailer/lib/mailer';
import type { MailConfig } from '../../server/mail/config';
import { InboundListener } from '../../server/mail/inbound/listener';
import type { InboundContext } from '../../server/mail/inbound/receive';
import { replyAddress } from '../../server/mail/reply-address';
import type { TestApp } from './app';

export const REPLY_DOMAIN = 'reply.trellis.test';
export const CREATE_ADDRESS = `bugs@${REPLY_DOMAIN}`;

export function inboundMailConfig(overrides: Partial<MailConfig> = {}): MailConfig {
  return {
    from: `Trellis <trellis@${REPLY_DOMAIN}>`,
    replyDomain: REPLY_DOMAIN,
    inbound: { host: '127.0.0.1', port: 0 },
    createAddress: CREATE_ADDRESS,
    maxMessageBytes: 64 * 1024,
    mailers: [],
    ...overrides,
  };
}

export interface Inbound {
  listener: InboundListener;
  port: number;
  /** The reply address Trellis gives this person for this task. */
  replyTo(taskId: number, userId: number): string;
  close(): Promise<void>;
}

export async function startInbound(t: TestApp, refuse: InboundContext['refuse'], mail: MailConfig = inboundMailConfig()): Promise<Inbound> {
  const listener = new InboundListener({ db: t.db, tracker: t.tracker, log: t.deps.log, refuse }, { mail, secret: t.deps.secret });
  const { port } = await listener.listen();
  return {
    listener,
    port,
    replyTo: (taskId, userId) => replyAddress(t.deps.secret, REPLY_DOMAIN, { taskId, userId }),
    close: () => listener.close(),
  };
}

/** What a relay gets back from the listener: the final answer, or the error it refused with. */
export interface SmtpAnswer {
  ok: boolean;
  code: number | null;
  response: string;
}

/** Sends through a real SMTP session to the listener, as an MX or a provider's inbound route would. */
export async function deliver(port: number, message: SendMailOptions): Promise<SmtpAnswer> {
  const transport = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true });
  try {
    const info = await transport.sendMail(message);
    return { ok: true, code: 250, response: String(info.response) };
  } catch (err) {
    const e = err as { responseCode?: number; response?: string; message: string };
    return { ok: false, code: e.responseCode ?? null, response: e.response ?? e.message };
  } finally {
    transport.close();
  }
}

/** A fixture mail from test/fixtures/mail with its recipient filled in, sent as it was written. */
export function fixture(name: string, to: string): string {
  return fs.readFileSync(path.join(__dirname, '../fixtures/mail', name), 'utf8').replaceAll('{{to}}', to).replace(/\r?\n/g, '\r\n');
}

/** The listener's log lines about received mail, taken out of the app's log. */
export function takeInboundLog(t: TestApp): Record<string, unknown>[] {
  const mine: Record<string, unknown>[] = [];
  for (let i = t.errors.length - 1; i >= 0; i--) {
    const parsed = JSON.parse(t.errors[i]!) as Record<string, unknown>;
    if (parsed.msg === 'inbound mail') {
      mine.unshift(parsed);
      t.errors.splice(i, 1);
    }
  }
  return mine;
}

export async function inboundRows(db: Knex) {
  return db('inbound_mail').select('recipient', 'sender', 'kind', 'outcome', 'reason', 'task_id', 'user_id').orderBy('id');
}

/** Speaks SMTP line by line and returns each answer's code, for what a mail library will not send (a SIZE too large). */
export function smtpDialogue(port: number, lines: string[]): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const codes: number[] = [];
    let buffered = '';
    socket.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      let end: number;
      while ((end = buffered.indexOf('\r\n')) >= 0) {
        const line = buffered.slice(0, end);
        buffered = buffered.slice(end + 2);
        // Multi-line answers continue with "250-"; only the last line ends an answer.
        if (line[3] === '-') continue;
        codes.push(Number(line.slice(0, 3)));
        const next = lines[codes.length - 1];
        if (next === undefined) socket.end();
        else socket.write(next + '\r\n');
      }
    });
    socket.on('error', reject);
    socket.on('close', () => resolve(codes));
  });
}
