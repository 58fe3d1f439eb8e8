import nodemailer, { type Transporter } from 'nodemailer';
import type { SmtpMailer } from './config';

/** A message as handed to a mailer: everything already rendered. */
export interface Envelope {
  from: string;
  to: string[];
  cc: string[];
  subject: string;
  text: string;
  html: string | null;
  replyTo: string | null;
  messageId: string;
  headers: Record<string, string>;
}

export type Delivery = { outcome: 'sent' } | { outcome: 'temporary' | 'permanent'; error: string };

/**
 * The outbound mailers in the order to try them for one message: higher
 * priority first, mailers of equal priority shuffled so that they share the
 * load. `only` restricts the list to one mailer (a test send).
 */
export function mailerOrder(mailers: readonly SmtpMailer[], only: string | null = null, random: () => number = Math.random): SmtpMailer[] {
  const usable = mailers.filter((m) => m.outbound && (only === null || m.key === only));
  const keyed = usable.map((m) => ({ m, r: random() }));
  keyed.sort((a, b) => b.m.priority - a.m.priority || a.r - b.r);
  return keyed.map((k) => k.m);
}

interface SmtpError {
  code?: string;
  responseCode?: number;
  response?: string;
  message?: string;
}

/**
 * A refusal of this message by the receiving side (a 5xx to the sender, a
 * recipient or the data) is permanent: another mailer would be told the same.
 * Anything else, from a refused connection to a 4xx or a failed login, is
 * the mailer's trouble of the moment, and the next one may do better.
 */
export function isPermanent(err: SmtpError): boolean {
  const code = err.responseCode ?? 0;
  return (err.code === 'EENVELOPE' || err.code === 'EMESSAGE') && code >= 500 && code < 600 && code !== 503;
}

/** The provider's own answer when there is one, else what went wrong on the way, with nodemailer's code. */
function describe(err: SmtpError): string {
  if (err.response) return err.response.replace(/\s+/g, ' ').trim();
  const text = (err.message ?? String(err)).replace(/\s+/g, ' ').trim();
  return err.code && !text.includes(err.code) ? `${text} (${err.code})` : text;
}

/** Connections kept open to each mailer: enough for the job runner's workers to send at once without a handshake each. */
export const CONNECTIONS_PER_MAILER = 3;
/** A connection idle this long is closed by us, well before a provider would drop it mid-message (RFC 5321 asks 5 minutes of them). */
const IDLE_CLOSE_MS = 60_000;

/**
 * One pooled nodemailer transport per configured mailer, made on first use:
 * a few SMTP connections kept open and reused message after message, so a
 * message costs one SMTP exchange rather than a connection, a greeting and
 * TLS. Closed when the job runner stops.
 */
export class MailerPool {
  private readonly transports = new Map<string, Transporter>();

  private transport(m: SmtpMailer): Transporter {
    let t = this.transports.get(m.key);
    if (!t) {
      const o = m.options;
      t = nodemailer.createTransport({
        pool: true,
        maxConnections: CONNECTIONS_PER_MAILER,
        idleTimeout: IDLE_CLOSE_MS,
        // A connection lost mid-message fails the attempt instead of being sent again by the pool:
        // the mailer chain decides what comes next, and a message the provider may have taken is not handed to it twice.
        maxRequeues: 0,
        host: o.host,
        port: o.port,
        secure: o.secure,
        auth: o.user ? { user: o.user, pass: o.password ?? '' } : undefined,
        connectionTimeout: o.timeout,
        greetingTimeout: o.timeout,
        socketTimeout: o.timeout,
      });
      this.transports.set(m.key, t);
    }
    return t;
  }

  /** Tries one mailer; never throws. Resolves right after the provider accepted or refused. */
  async deliver(m: SmtpMailer, e: Envelope): Promise<Delivery> {
    const { 'In-Reply-To': inReplyTo, References: references, ...headers } = e.headers;
    try {
      const info = await this.transport(m).sendMail({
        from: e.from,
        to: e.to,
        cc: e.cc,
        subject: e.subject,
        text: e.text,
        html: e.html ?? undefined,
        replyTo: e.replyTo ?? undefined,
        messageId: e.messageId,
        inReplyTo,
        references,
        headers,
      });
      if (info.accepted?.length === 0) return { outcome: 'permanent', error: `${m.key}: every recipient was refused.` };
      return { outcome: 'sent' };
    } catch (err) {
      const e2 = err as SmtpError;
      return { outcome: isPermanent(e2) ? 'permanent' : 'temporary', error: `${m.key}: ${describe(e2)}` };
    }
  }

  /** Closes every connection; a message in the middle of its exchange finishes first. */
  close(): void {
    for (const t of this.transports.values()) t.close();
    this.transports.clear();
  }
}
