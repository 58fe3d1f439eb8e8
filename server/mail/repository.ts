import type { Knex } from 'knex';
import { prepared } from '../db/prepared';
import { FINISH_JOB_SQL } from '../jobs/repository';

export type MailStatus = 'queued' | 'sent' | 'failed' | 'void';

/** A message of the outbox, as the sender and the admin pages read it. */
export interface MailMessage {
  id: number;
  kind: string;
  status: MailStatus;
  to: string[];
  cc: string[];
  subject: string;
  text: string;
  html: string | null;
  replyTo: string | null;
  headers: Record<string, string>;
  userId: number | null;
  taskId: number | null;
  mandatory: boolean;
  eventGroups: string[] | null;
  rendered: boolean;
  mailerKey: string | null;
  attempts: number;
  statusReason: string | null;
  lastError: string | null;
  createdAt: Date;
  sentAt: Date | null;
}

/** A new row: ready to send (rendered) or, for task mail, the event groups it will report. */
export interface MessageInsert {
  kind: string;
  status?: MailStatus;
  statusReason?: string | null;
  to: string[];
  cc: string[];
  subject?: string;
  text?: string;
  html?: string | null;
  replyTo?: string | null;
  headers?: Record<string, string>;
  userId?: number | null;
  taskId?: number | null;
  mandatory?: boolean;
  eventGroups?: string[] | null;
  rendered?: boolean;
}

interface MessageRow {
  id: number;
  kind: string;
  status: MailStatus;
  to_addresses: string[] | string;
  cc_addresses: string[] | string;
  subject: string;
  text_body: string;
  html_body: string | null;
  reply_to: string | null;
  headers: Record<string, string> | string;
  user_id: number | null;
  task_id: number | null;
  mandatory: boolean;
  event_groups: string[] | string | null;
  rendered: boolean;
  mailer_key: string | null;
  attempts: number;
  status_reason: string | null;
  last_error: string | null;
  created_at: Date;
  sent_at: Date | null;
}

/** Every column of a message, named: a named statement may not `select *` (a new column would break its plan). */
const MESSAGE_COLUMNS: (keyof MessageRow)[] = [
  'id', 'kind', 'status', 'to_addresses', 'cc_addresses', 'subject', 'text_body', 'html_body', 'reply_to', 'headers', 'user_id',
  'task_id', 'mandatory', 'event_groups', 'rendered', 'mailer_key', 'attempts', 'status_reason', 'last_error', 'created_at', 'sent_at',
];

const json = <T>(v: T | string): T => (typeof v === 'string' ? (JSON.parse(v) as T) : v);

const toMessage = (r: MessageRow): MailMessage => ({
  id: r.id,
  kind: r.kind,
  status: r.status,
  to: json(r.to_addresses),
  cc: json(r.cc_addresses),
  subject: r.subject,
  text: r.text_body,
  html: r.html_body,
  replyTo: r.reply_to,
  headers: json(r.headers),
  userId: r.user_id,
  taskId: r.task_id,
  mandatory: r.mandatory,
  eventGroups: r.event_groups === null ? null : json(r.event_groups),
  rendered: r.rendered,
  mailerKey: r.mailer_key,
  attempts: r.attempts,
  statusReason: r.status_reason,
  lastError: r.last_error,
  createdAt: new Date(r.created_at),
  sentAt: r.sent_at ? new Date(r.sent_at) : null,
});

/** A new message's columns, as one element of the JSON array the insert reads. */
const toRecord = (m: MessageInsert) => ({
  kind: m.kind,
  status: m.status ?? 'queued',
  status_reason: m.statusReason ?? null,
  to_addresses: m.to,
  cc_addresses: m.cc,
  subject: m.subject ?? '',
  text_body: m.text ?? '',
  html_body: m.html ?? null,
  reply_to: m.replyTo ?? null,
  headers: m.headers ?? {},
  user_id: m.userId ?? null,
  task_id: m.taskId ?? null,
  mandatory: m.mandatory ?? false,
  event_groups: m.eventGroups ?? null,
  rendered: m.rendered ?? true,
});

const INSERTED_COLUMNS = Object.keys(toRecord({ kind: '', to: [], cc: [] }));

/*
 * The messages come as one JSON array, whatever their number, so the statement has one text and one
 * name (it was built per call, and named after a text that changed with the number of recipients).
 * Each element becomes a row of the table's type, JSON null as SQL NULL, and the rows are inserted in
 * the order given, so their ids ascend in that order.
 */
const INSERT_MESSAGES_SQL = `INSERT INTO mail_messages (${INSERTED_COLUMNS.join(', ')})
  SELECT ${INSERTED_COLUMNS.map((c) => `r.${c}`).join(', ')}
  FROM jsonb_array_elements(?::jsonb) WITH ORDINALITY AS e(v, n)
  CROSS JOIN LATERAL jsonb_populate_record(NULL::mail_messages, e.v) AS r
  ORDER BY e.n
  RETURNING id, status, rendered`;

const INSERT_MESSAGES_WITH_JOBS_SQL = `WITH m AS (${INSERT_MESSAGES_SQL}), j AS (
    INSERT INTO jobs (kind, payload, run_at)
    SELECT ?, jsonb_build_object('messageId', m.id), now() + make_interval(secs => ?) FROM m WHERE m.status = 'queued' OR NOT m.rendered ORDER BY m.id
  )
  SELECT id FROM m ORDER BY id`;

const INSERT_MESSAGES = `WITH m AS (${INSERT_MESSAGES_SQL}) SELECT id FROM m ORDER BY id`;

const records = (messages: MessageInsert[]) => JSON.stringify(messages.map(toRecord));

/** Inserts messages in one statement; returns their ids in order. */
export async function insertMessages(db: Knex | Knex.Transaction, messages: MessageInsert[]): Promise<number[]> {
  if (!messages.length) return [];
  const result = await prepared('mail_insert', db.raw(INSERT_MESSAGES, [records(messages)]));
  return (result.rows as { id: number }[]).map((r) => r.id);
}

/**
 * Inserts messages and, in the same statement, the jobs that send them: each
 * one still to send, and each one still to render (a voided copy is rendered
 * too, so /mail/ shows what was not sent). Returns the messages' ids in order.
 */
export async function insertMessagesWithJobs(db: Knex | Knex.Transaction, messages: MessageInsert[], jobKind: string, delaySeconds: number): Promise<number[]> {
  if (!messages.length) return [];
  const result = await prepared('mail_insert_with_jobs', db.raw(INSERT_MESSAGES_WITH_JOBS_SQL, [records(messages), jobKind, delaySeconds]));
  return (result.rows as { id: number }[]).map((r) => r.id);
}

/*
 * The statements the sender runs for every message are named (db/prepared): each is a round trip of
 * the background work behind every edit, which unnamed PostgreSQL would parse and plan every time.
 */

export async function findMessage(db: Knex | Knex.Transaction, id: number): Promise<MailMessage | null> {
  const row = (await prepared('mail_message', db('mail_messages').select(MESSAGE_COLUMNS).where({ id }).first())) as MessageRow | undefined;
  return row ? toMessage(row) : null;
}

/** Locks a message for rendering, so events appended to a digest are never lost in between. */
export async function lockMessage(trx: Knex.Transaction, id: number): Promise<MailMessage | null> {
  const row = (await prepared('mail_message_lock', trx('mail_messages').select(MESSAGE_COLUMNS).where({ id }).forUpdate().first())) as MessageRow | undefined;
  return row ? toMessage(row) : null;
}

/**
 * Locks the other copies of a task mail not rendered yet, about the same event
 * groups (one edit's mail to each recipient), so one job renders them all
 * from one reading of the task. Copies another job is rendering are skipped.
 */
export async function lockUnrenderedCopies(trx: Knex.Transaction, m: Pick<MailMessage, 'id' | 'taskId' | 'eventGroups'>): Promise<MailMessage[]> {
  if (m.taskId === null || !m.eventGroups) return [];
  const rows = (await prepared(
    'mail_unrendered_copies',
    trx('mail_messages')
      .select(MESSAGE_COLUMNS)
      .where({ task_id: m.taskId })
      // Written into the text, so that the plan kept for every call may read the index of unrendered mail.
      .whereRaw(`kind = 'task' AND rendered = false`)
      .whereNot({ id: m.id })
      .whereRaw('event_groups = ?::jsonb', [JSON.stringify(m.eventGroups)])
      .orderBy('id')
      .forUpdate()
      .skipLocked(),
  )) as MessageRow[];
  return rows.map(toMessage);
}

/** The newest messages first, `before` an id for the next page. */
export async function listMessages(db: Knex, limit: number, before: number | null = null): Promise<MailMessage[]> {
  const q = db('mail_messages').orderBy('id', 'desc').limit(limit);
  if (before !== null) q.where('id', '<', before);
  return ((await q) as MessageRow[]).map(toMessage);
}

/** Stores what rendering made of a task mail, and seals it: nothing more is appended. Returns the message as stored. */
export async function storeRendering(
  trx: Knex.Transaction,
  id: number,
  r: { subject: string; text: string; html: string | null; replyTo: string | null; headers: Record<string, string> },
): Promise<MailMessage> {
  const [row] = (await prepared(
    'mail_store_rendering',
    trx('mail_messages')
      .where({ id })
      .update({ subject: r.subject, text_body: r.text, html_body: r.html, reply_to: r.replyTo, headers: JSON.stringify(r.headers), rendered: true })
      .returning(MESSAGE_COLUMNS),
  )) as MessageRow[];
  return toMessage(row!);
}

/**
 * Ends a queued message as voided or failed, with the reason in a sentence,
 * and ends `endJob`, the job that settled it, when given, in the same
 * statement. A copy voided already (a muted recipient's) that can not be
 * rendered keeps its first reason, and is sealed all the same: its job is done
 * with it.
 */
export async function closeMessage(
  db: Knex | Knex.Transaction,
  id: number,
  status: 'void' | 'failed',
  reason: string,
  endJob: number | null = null,
): Promise<void> {
  await prepared(
    'mail_close',
    db.raw(
      `WITH ended AS (${FINISH_JOB_SQL})
       UPDATE mail_messages SET
         status = CASE WHEN status = 'queued' THEN :status ELSE status END,
         status_reason = CASE WHEN status = 'queued' THEN :reason ELSE status_reason END,
         rendered = true
       WHERE id = :id AND (status = 'queued' OR rendered = false)`,
      { id, status, reason, jobId: endJob, jobError: null },
    ),
  );
}

/** Puts a failed or voided message back in the queue, for an administrator's retry. */
export async function requeueMessage(db: Knex | Knex.Transaction, id: number): Promise<void> {
  await db('mail_messages').where({ id }).update({ status: 'queued', status_reason: null, last_error: null });
}

/**
 * Adds an event group to the person's digest of a task that is still
 * collecting, if there is one; false when a new digest must be started. The
 * row lock makes this and the rendering of the digest take turns.
 */
export async function appendToDigest(trx: Knex.Transaction, taskId: number, userId: number, groupId: string): Promise<boolean> {
  const result = await trx.raw(
    `UPDATE mail_messages SET event_groups = event_groups || ?::jsonb
     WHERE id = (
       SELECT id FROM mail_messages
       WHERE task_id = ? AND user_id = ? AND rendered = false AND kind = 'digest' AND status = 'queued'
       ORDER BY id DESC LIMIT 1 FOR UPDATE
     ) AND rendered = false`,
    [JSON.stringify([groupId]), taskId, userId],
  );
  return (result.rowCount ?? 0) > 0;
}

/** Forgets messages settled (sent, failed, voided) more than `days` ago, with their attempts; returns how many went. */
export async function pruneMessages(db: Knex, days: number): Promise<number> {
  const result = await db.raw(`DELETE FROM mail_messages WHERE status <> 'queued' AND created_at < now() - make_interval(days => ?)`, [days]);
  return result.rowCount ?? 0;
}
