import type { Knex } from 'knex';
import { AppError, NotFoundError } from '../errors';
import { finishJobsFor, insertJob } from '../jobs/repository';
import { MAIL_JOB } from './outbox';
import { listAttempts, type MailAttempt } from './attempt-repository';
import { findMessage, insertMessages, lockMessage, requeueMessage, type MailMessage, type MailStatus } from './repository';

/** How the admin pages and the command line name each status, as Phabricator does. */
export const STATUS_NAMES: Record<MailStatus, string> = {
  queued: 'Queued',
  sent: 'Sent',
  failed: 'Delivery Failed',
  void: 'Voided',
};

export interface OutboundDetail {
  message: MailMessage;
  attempts: MailAttempt[];
}

export async function outboundDetail(db: Knex, id: number): Promise<OutboundDetail> {
  const message = await findMessage(db, id);
  if (!message) throw new NotFoundError('There is no such message.');
  return { message, attempts: await listAttempts(db, id) };
}

/** Queues a test message, through one mailer when `mailer` names it; returns the message and the job that sends it. */
export async function queueTestMail(db: Knex, to: string, mailer: string | null): Promise<{ messageId: number; jobId: number }> {
  return db.transaction(async (trx) => {
    const [messageId] = await insertMessages(trx, [
      {
        kind: 'test',
        to: [to],
        cc: [],
        subject: '[Trellis] Test message',
        text: `This is a test message from Trellis${mailer ? `, sent through the mailer "${mailer}"` : ''}.\n\nIf you can read it, outbound mail works.\n`,
      },
    ]);
    return { messageId: messageId!, jobId: await insertJob(trx, MAIL_JOB, mailer ? { messageId, mailer } : { messageId }) };
  });
}

/**
 * Sends a message again: a failed or voided one goes back to the queue, a
 * queued one is made due now. Mail already sent is not sent twice.
 */
export async function retryMessage(db: Knex, id: number): Promise<number> {
  return db.transaction(async (trx) => {
    const message = await lockMessage(trx, id);
    if (!message) throw new NotFoundError('There is no such message.');
    if (message.status === 'sent') throw new AppError(409, 'already-sent', `Message ${id} was already sent; it is not sent twice.`);
    await requeueMessage(trx, id);
    await finishJobsFor(trx, MAIL_JOB, 'messageId', id);
    return insertJob(trx, MAIL_JOB, { messageId: id });
  });
}
