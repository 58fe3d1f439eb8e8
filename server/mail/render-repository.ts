import type { Knex } from 'knex';
import { prepared } from '../db/prepared';
import { eventFromJson, eventsJsonExpr, type EventJson } from '../tasks/event-repository';
import { TASK_COLUMNS, TASK_SUBSCRIBER_IDS_SQL, toTask, type TaskRow } from '../tasks/repository';
import type { StoredEvent } from '../tasks/events/types';
import type { Task } from '../tasks/task';
import { usersFromJson, usersJsonExpr, type UserJson } from '../users/repository';
import type { User } from '../users/user';

/** What rendering one edit's mail reads before its Markdown says what else it names. */
export interface MailSubject {
  task: Task;
  /** The events of the edit's groups, oldest first. */
  events: StoredEvent[];
  subscriberIds: number[];
  /** The recipients asked for, by id; an account that is gone is missing. */
  recipients: Map<number, User>;
}

// The ids go through a subquery, so that no plan is made for the length of one array (see `recipientsFor`).
const SQL = `SELECT ${TASK_COLUMNS.join(', ')},
    ${eventsJsonExpr('e.group_id = ANY(?::uuid[])')} AS events,
    ${TASK_SUBSCRIBER_IDS_SQL} AS subscriber_ids,
    ${usersJsonExpr('SELECT unnest((SELECT ?::bigint[]))')} AS recipients
  FROM tasks WHERE tasks.id = ?`;

interface SubjectRow extends TaskRow {
  events: EventJson[];
  subscriber_ids: number[];
  recipients: UserJson[];
}

/**
 * The task, the events of the given groups, its subscribers and the recipients, in one
 * statement: the sender renders an edit's mail for every message it takes, and each round
 * trip costs more than what it reads. Null when the task no longer exists.
 */
export async function findMailSubject(db: Knex, taskId: number, groupIds: string[], recipientIds: number[]): Promise<MailSubject | null> {
  const result = await prepared('mail_subject', db.raw(SQL, [groupIds, recipientIds, taskId]));
  const row = (result.rows as SubjectRow[])[0];
  if (!row) return null;
  return {
    task: toTask(row),
    events: row.events.map(eventFromJson),
    subscriberIds: row.subscriber_ids,
    recipients: new Map(usersFromJson(row.recipients).map((u) => [u.id, u])),
  };
}
