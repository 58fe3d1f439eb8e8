import type { Knex } from 'knex';
import type { JobHandler, JobResult } from '../jobs/runner';
import type { MailConfig } from './config';
import { mailerOrder, type Envelope, type MailerPool } from './mailers';
import { MAIL_JOB } from './outbox';
import { recordAttempt, recordTemporaryFailure } from './attempt-repository';
import { closeMessage, findMessage, type MailMessage } from './repository';

/** Past this age a message that no mailer would take is given up as failed: about two days. */
export const GIVE_UP_AFTER_SECONDS = 48 * 3600;

/** The wait before the next pass after `passes` failed ones: 1, 2, 4 … minutes, then every 4 hours. */
export function retryDelaySeconds(passes: number): number {
  return Math.min(60 * 2 ** Math.max(passes - 1, 0), 4 * 3600);
}

/** The domain Message-IDs are made at: the sender's. */
export function mailDomain(from: string): string {
  return /@([^>\s]+)/.exec(from)?.[1]?.toLowerCase() ?? 'localhost';
}

export const messageIdOf = (m: Pick<MailMessage, 'id' | 'headers'>, from: string): string =>
  m.headers['Message-ID'] ?? `<trellis-mail-${m.id}@${mailDomain(from)}>`;

/**
 * Turns a message decided in a transaction into one ready to send (the task
 * mail's renderer); resolves to it as stored, or null when it was voided instead.
 */
export type Renderer = (db: Knex, message: MailMessage) => Promise<MailMessage | null>;

/** The lease one attempt needs, counted from the mailer's longest wait (connection, greeting, answer). */
const leaseFor = (timeoutMs: number) => Math.ceil((timeoutMs * 3) / 1000) + 30;

/**
 * Sends one message of the outbox through the mailers in turn. The first to
 * accept it settles it as sent, recorded the moment the provider answers;
 * a permanent refusal settles it as failed; when every mailer fails for the
 * time being the job comes back later, with a growing wait, for about two days.
 */
export function mailSendJob(db: Knex, mail: MailConfig, pool: MailerPool, render: Renderer): JobHandler {
  return {
    kind: MAIL_JOB,
    // A claim covers the first attempt through the slowest mailer, so the usual message is sent without renewing.
    leaseSeconds: Math.max(0, ...mail.mailers.map((m) => leaseFor(m.options.timeout))) || undefined,
    close: () => pool.close(),
    async run(job, ctx): Promise<JobResult> {
      const id = Number(job.payload.messageId);
      const only = typeof job.payload.mailer === 'string' ? job.payload.mailer : null;
      let message = await findMessage(db, id);
      if (!message || (message.status !== 'queued' && message.rendered)) return;
      if (!message.rendered) message = await render(db, message);
      if (!message || message.status !== 'queued') return;
      const mailers = mailerOrder(mail.mailers, only);
      // The message's last write ends the job too ('ended'): a message costs one commit fewer.
      if (!mailers.length) {
        await closeMessage(db, id, 'void', only ? `No outbound mailer is configured with the key "${only}".` : 'No mailers are configured.', job.id);
        return 'ended';
      }
      const envelope: Envelope = {
        from: mail.from,
        to: message.to,
        cc: message.cc,
        subject: message.subject,
        text: message.text,
        html: message.html,
        replyTo: message.replyTo,
        messageId: messageIdOf(message, mail.from),
        headers: message.headers,
      };
      const errors: string[] = [];
      for (const mailer of mailers) {
        if (ctx.leaseLeft() < leaseFor(mailer.options.timeout)) await ctx.renew(leaseFor(mailer.options.timeout));
        const delivery = await pool.deliver(mailer, envelope);
        await recordAttempt(db, id, mailer.key, delivery.outcome, delivery.outcome === 'sent' ? null : delivery.error, job.id);
        if (delivery.outcome !== 'temporary') return 'ended';
        errors.push(delivery.error);
      }
      const error = errors.join('\n');
      await recordTemporaryFailure(db, id, error);
      const passes = message.attempts + 1;
      const delay = retryDelaySeconds(passes);
      const age = (Date.now() - message.createdAt.getTime()) / 1000;
      if (age + delay > GIVE_UP_AFTER_SECONDS) {
        await closeMessage(db, id, 'failed', `No mailer took this message in ${passes} attempts over two days. Last errors: ${errors.join('; ')}`, job.id);
        return 'ended';
      }
      return { retryInSeconds: delay, error };
    },
  };
}
