import type { Knex } from 'knex';
import { findProjectPhidsOfTasks } from '../projects/repository';
import { visibleTaskIds } from '../tasks/read';
import type { Task, Tracker } from '../tasks/task';
import type { Actor } from '../users/roles';
import { findUsersByIds } from '../users/repository';
import { findSubscriberPhids, findSubtasksOf } from './repository';
import { apiFields } from './custom-fields';
import { loadFieldValues } from '../fields/repository';
import { fieldUserIds } from '../fields/show';
import type { FieldValues } from '../fields/values';

/**
 * Tasks in the shape of Phabricator's older methods (maniphest.info, .query,
 * .createtask, .update): one flat dictionary each, with the ids and dates as
 * strings, as Phabricator sends them from its database rows.
 */
export interface LegacyTask {
  id: string;
  phid: string;
  authorPHID: string | null;
  ownerPHID: string | null;
  ccPHIDs: string[];
  status: string;
  statusName: string;
  isClosed: boolean;
  priority: string;
  priorityColor: string;
  title: string;
  description: string;
  projectPHIDs: string[];
  uri: string;
  /** Custom fields, as "std:maniphest:KEY". */
  auxiliary: Record<string, unknown>;
  objectName: string;
  dateCreated: string;
  dateModified: string;
  dependsOnTaskPHIDs: string[];
}

const seconds = (d: Date) => String(Math.floor(d.getTime() / 1000));

/** The dictionaries of `tasks` (all visible to the viewer), in one query per kind of thing they name. */
export async function legacyTasks(db: Knex, tracker: Tracker, viewer: Actor, tasks: Task[], baseUrl: string): Promise<LegacyTask[]> {
  const ids = tasks.map((t) => t.id);
  const values = tracker.fields.length ? await loadFieldValues(db, ids) : new Map<number, FieldValues>();
  const [users, subscribers, projects, subtasks] = await Promise.all([
    findUsersByIds(db, [...tasks.flatMap((t) => [t.authorId, t.ownerId].filter((id): id is number => id !== null)), ...fieldUserIds(values.values())]),
    findSubscriberPhids(db, ids),
    findProjectPhidsOfTasks(db, ids),
    findSubtasksOf(db, ids),
  ]);
  // A subtask the viewer may not see is left out, as if the link did not exist.
  const seen = await visibleTaskIds(db, viewer, [...subtasks.values()].flat().map((s) => s.id));
  const phidOf = (id: number | null) => (id === null ? null : (users.get(id)?.phid ?? null));
  return tasks.map((t) => ({
    id: String(t.id),
    phid: t.phid,
    authorPHID: phidOf(t.authorId),
    ownerPHID: phidOf(t.ownerId),
    ccPHIDs: subscribers.get(t.id) ?? [],
    status: t.status,
    statusName: tracker.statusName(t.status),
    isClosed: tracker.isClosed(t.status),
    priority: tracker.priorityName(t.priority),
    priorityColor: tracker.priorityColor(t.priority),
    title: t.title,
    description: t.description,
    projectPHIDs: projects.get(t.id) ?? [],
    uri: `${baseUrl}/T${t.id}`,
    auxiliary: Object.fromEntries(Object.entries(apiFields(tracker, values.get(t.id), phidOf)).map(([name, v]) => [`std:maniphest:${name.slice('custom.'.length)}`, v])),
    objectName: `T${t.id}`,
    dateCreated: seconds(t.createdAt),
    dateModified: seconds(t.updatedAt),
    dependsOnTaskPHIDs: (subtasks.get(t.id) ?? []).filter((s) => seen.has(s.id)).map((s) => s.phid),
  }));
}
