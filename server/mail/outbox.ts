import type { Knex } from 'knex';
import { insertJob } from '../jobs/repository';
import { recipientsFor } from './preferences-repository';
import { insertMessagesWithJobs, type MessageInsert } from './repository';

/** A message for the outbox, as every part of Trellis that sends mail describes it. */
export interface OutgoingMail {
  kind: string; // 'task', 'digest', 'password-reset', 'verify-email', 'welcome', 'inbound-refusal', 'test', …
  to: string[];
  cc?: string[];
  subject: string;
  text: string;
  html?: string;
  replyTo?: string;
  headers?: Record<string, string>;
  userId?: number | null; // the recipient account, if any
  taskId?: number | null;
  mandatory?: boolean; // sent even when the person turned mail off (reset, verification)
}

/** The kind of job that sends one message of the outbox. */
export const MAIL_JOB = 'mail-send';

/**
 * Queues messages and the jobs that send them, in the caller's transaction:
 * mail exists exactly when what it reports was committed. `delaySeconds`
 * holds a digest back while it collects events.
 */
export function queueMessages(db: Knex | Knex.Transaction, messages: MessageInsert[], delaySeconds = 0): Promise<number[]> {
  return insertMessagesWithJobs(db, messages, MAIL_JOB, delaySeconds);
}

/** Queues one message in the caller's transaction; returns its id. Sent after commit, through the mailers in turn. */
export async function queueMail(db: Knex | Knex.Transaction, mail: OutgoingMail): Promise<number> {
  const to = mail.to.map((a) => a.trim()).filter(Boolean);
  const cc = (mail.cc ?? []).map((a) => a.trim()).filter(Boolean);
  if (!to.length && !cc.length) throw new Error('A message needs at least one recipient.');
  // Mail to a person who turned mail off is kept, voided, unless it must reach them (a password reset).
  const off = !mail.mandatory && mail.userId ? !(await recipientsFor(db, [mail.userId], mail.taskId ?? 0)).get(mail.userId)?.enabled : false;
  const [id] = await queueMessages(db, [
    {
      kind: mail.kind,
      to,
      cc,
      subject: mail.subject,
      text: mail.text,
      html: mail.html ?? null,
      replyTo: mail.replyTo ?? null,
      headers: mail.headers ?? {},
      userId: mail.userId ?? null,
      taskId: mail.taskId ?? null,
      mandatory: mail.mandatory ?? false,
      ...(off ? { status: 'void' as const, statusReason: 'Recipient turned mail off.' } : {}),
    },
  ]);
  return id!;
}

/** Queues the job for a message again, now: an administrator's retry. */
export function queueSendJob(db: Knex | Knex.Transaction, messageId: number): Promise<number> {
  return insertJob(db, MAIL_JOB, { messageId });
}
