import type { Knex } from 'knex';
import { prepared } from '../db/prepared';
import { FINISH_JOB_SQL } from '../jobs/repository';

/** The delivery attempts of the outbox's messages: one row per try through one mailer, and what it did to the message. */

export type AttemptOutcome = 'sent' | 'temporary' | 'permanent';

export interface MailAttempt {
  mailerKey: string;
  outcome: AttemptOutcome;
  error: string | null;
  createdAt: Date;
}

export async function listAttempts(db: Knex, messageId: number): Promise<MailAttempt[]> {
  const rows = (await db('mail_attempts').where({ message_id: messageId }).orderBy('id').select('mailer_key', 'outcome', 'error', 'created_at')) as {
    mailer_key: string;
    outcome: AttemptOutcome;
    error: string | null;
    created_at: Date;
  }[];
  return rows.map((r) => ({ mailerKey: r.mailer_key, outcome: r.outcome, error: r.error, createdAt: new Date(r.created_at) }));
}

/**
 * One attempt through one mailer; a sent or permanent outcome also settles the
 * message, and ends `endJob`, the job that sent it, when given. One statement,
 * so the record follows the provider's answer by a single round trip (the
 * window in which a crash would send it again) and a single commit.
 */
export async function recordAttempt(
  db: Knex,
  id: number,
  mailerKey: string,
  outcome: AttemptOutcome,
  error: string | null,
  endJob: number | null = null,
): Promise<void> {
  await prepared(
    'mail_attempt',
    db.raw(
      `WITH attempt AS (INSERT INTO mail_attempts (message_id, mailer_key, outcome, error) VALUES (:id, :mailerKey, :outcome, :error)),
       ended AS (${FINISH_JOB_SQL})
       UPDATE mail_messages SET
         status = CASE WHEN :outcome = 'sent' THEN 'sent' ELSE 'failed' END,
         mailer_key = :mailerKey,
         sent_at = CASE WHEN :outcome = 'sent' THEN now() ELSE sent_at END,
         status_reason = CASE WHEN :outcome = 'sent' THEN status_reason ELSE :error END,
         last_error = CASE WHEN :outcome = 'sent' THEN last_error ELSE :error END,
         attempts = attempts + 1
       WHERE id = :id AND :outcome <> 'temporary'`,
      // A temporary refusal leaves the job running: the next mailer is tried, or the job comes back later.
      { id, mailerKey, outcome, error, jobId: outcome === 'temporary' ? null : endJob, jobError: null },
    ),
  );
}

/** Every mailer failed for the time being: the pass is counted and its errors kept. */
export async function recordTemporaryFailure(db: Knex, id: number, error: string): Promise<void> {
  await db('mail_messages').where({ id }).update({ last_error: error, attempts: db.raw('attempts + 1') });
}
