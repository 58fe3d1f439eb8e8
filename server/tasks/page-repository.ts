import type { Knex } from 'knex';
import { prepared } from '../db/prepared';
import { decodeValues, TASK_FIELD_VALUES_JSON } from '../fields/repository';
import type { FieldValues } from '../fields/values';
import { TASK_FILES_JSON, type TaskFile } from '../files/repository';
import { TASK_MUTED_SQL } from '../mail/preferences-repository';
import { boardNamesOf, TASK_BOARD_NAMES_JSON, type BoardNames } from '../projects/board-repository';
import { TASK_CARDS_JSON, TASK_TAG_IDS_SQL } from '../projects/card-repository';
import type { StoredEvent } from './events/types';
import { inGraphExpr } from './graph/repository';
import { usersFromJson, usersJsonExpr, type UserJson } from '../users/repository';
import type { User } from '../users/user';
import { TASK_COLUMNS, TASK_SUBSCRIBER_IDS_SQL, toTask, type EdgeType, type TaskRow } from './repository';
import type { Task } from './task';
import { eventFromJson, eventsJsonExpr, type EventJson } from './event-repository';

/**
 * SQL of the task page: the task and everything that hangs off it by its id, in one statement
 * (each round trip costs the page more than the reading it does). The other areas own their
 * parts of it (files, field values, mutes, tags, cards and boards), as subqueries on the row of `tasks`.
 */

export interface TaskPageRows {
  task: Task;
  subscriberIds: number[];
  /** Every event, oldest first: what the viewer may see of them is for the caller to decide. */
  events: StoredEvent[];
  edges: { type: EdgeType; dstId: number }[];
  files: TaskFile[];
  /** Whether the viewer muted the task; false without a viewer. */
  muted: boolean;
  /** Every stored value, configured fields or not. */
  fieldValues: FieldValues;
  /** Tags (project ids, ascending) and cards (board id to column id). */
  tagIds: number[];
  cards: Record<string, number>;
  /** The projects of its tags and cards, and the columns of its boards. */
  boardNames: BoardNames;
  /** Whether it has a parent or a subtask: without one there is no graph to read. */
  inGraph: boolean;
  /**
   * The people attached to it: its author, owner, closer and subscribers, and whoever acted on it.
   * Most pages name no one else, and need no other read of people.
   */
  users: User[];
}

const SQL = `SELECT ${TASK_COLUMNS.join(', ')},
    ${TASK_SUBSCRIBER_IDS_SQL} AS subscriber_ids,
    ${eventsJsonExpr()} AS events,
    (SELECT coalesce(json_agg(json_build_object('type', g.type, 'dst', g.dst_task_id) ORDER BY g.created_at), '[]') FROM task_edges g WHERE g.src_task_id = tasks.id) AS edges,
    ${TASK_FILES_JSON} AS files,
    ${TASK_MUTED_SQL} AS muted,
    ${TASK_FIELD_VALUES_JSON} AS field_values,
    ${TASK_TAG_IDS_SQL} AS tag_ids,
    ${TASK_CARDS_JSON} AS cards,
    ${TASK_BOARD_NAMES_JSON} AS board_names,
    ${inGraphExpr('tasks.id')} AS in_graph,
    ${usersJsonExpr(`SELECT tasks.author_id UNION ALL SELECT tasks.owner_id UNION ALL SELECT tasks.closer_id
      UNION ALL SELECT s.user_id FROM task_subscribers s WHERE s.task_id = tasks.id
      UNION ALL SELECT e.actor_id FROM task_events e WHERE e.task_id = tasks.id`)} AS users
  FROM tasks WHERE tasks.id = ?`;

interface PageRow extends TaskRow {
  subscriber_ids: number[];
  events: EventJson[];
  edges: { type: EdgeType; dst: number }[];
  files: TaskFile[];
  muted: boolean;
  field_values: Parameters<typeof decodeValues>[0];
  tag_ids: number[];
  cards: Record<string, number>;
  board_names: Parameters<typeof boardNamesOf>[0];
  in_graph: boolean;
  users: UserJson[];
}

/** The task page's rows for one task and viewer (null for a visitor), or null when there is no such task. */
export async function findTaskPage(db: Knex, taskId: number, viewerId: number | null): Promise<TaskPageRows | null> {
  const result = await prepared('task_page', db.raw(SQL, [viewerId, taskId]));
  const row = (result.rows as PageRow[])[0];
  if (!row) return null;
  return {
    task: toTask(row),
    subscriberIds: row.subscriber_ids,
    events: row.events.map(eventFromJson),
    edges: row.edges.map((g) => ({ type: g.type, dstId: g.dst })),
    files: row.files,
    muted: row.muted,
    fieldValues: decodeValues(row.field_values),
    tagIds: row.tag_ids,
    cards: row.cards,
    boardNames: boardNamesOf(row.board_names),
    inGraph: row.in_graph,
    users: usersFromJson(row.users),
  };
}
