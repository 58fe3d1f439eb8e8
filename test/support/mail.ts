import type { SmtpMailer } from '../../server/mail/config';
import { createJobRunner } from '../../server/jobs/handlers';
import type { JobRunner } from '../../server/jobs/runner';
import type { TestApp } from './app';

/** A job runner of its own, as another app process would be, sending through these mailers. */
export function mailRunner(t: TestApp, mailers: SmtpMailer[], extra: { replyDomain?: string } = {}): JobRunner {
  const mail = { ...t.deps.config.mail, from: 'Trellis <trellis@example.com>', ...extra, mailers };
  return createJobRunner({ ...t.deps, config: { ...t.deps.config, mail }, log: (line) => t.errors.push(line) });
}

/** The outbox row of a message, the parts tests look at. */
export async function messageRow(t: TestApp, id: number) {
  return (await t.db('mail_messages').where({ id }).first('status', 'status_reason', 'mailer_key', 'attempts', 'last_error')) as {
    status: string;
    status_reason: string | null;
    mailer_key: string | null;
    attempts: number;
    last_error: string | null;
  };
}

export async function attemptsOf(t: TestApp, id: number) {
  return (await t.db('mail_attempts').where({ message_id: id }).orderBy('id').select('mailer_key', 'outcome')) as { mailer_key: string; outcome: string }[];
}

/** Makes the queued jobs of these messages due now, as if their wait had passed. */
export async function makeDue(t: TestApp, ids: number[]) {
  await t.db('jobs')
    .where({ kind: 'mail-send' })
    .whereNull('finished_at')
    .whereIn(t.db.raw(`(payload ->> 'messageId')::int`) as unknown as string, ids)
    .update({ run_at: t.db.raw(`now() - interval '1 second'`) });
}
