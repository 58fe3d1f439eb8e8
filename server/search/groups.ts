/**
 * Groupings read group by group: each walk yields a grouping key's values in
 * page order, with the condition that selects each group's rows.
 */

import type { Knex } from 'knex';
import { findTaggingProjects } from '../projects/repository';
import type { Actor } from '../users/roles';
import { filtered } from './filter';
import type { TaskFilter } from './query';

/** One value of a grouping key, and how to select its rows. */
export interface GroupPart {
  value: number | string;
  where: (qb: Knex.QueryBuilder) => void;
  /** The same rows, as counting them is best served, when that differs from reading a page of them. */
  countWhere?: (qb: Knex.QueryBuilder) => void;
}

/** A grouping's values in page order, from `from` on (that value included, when it has rows), one at a time. */
export type GroupWalk = (from: number | string | undefined, ascending: boolean) => AsyncIterable<GroupPart>;

/** A walk over values known in advance, given in ascending order. */
export function listedGroups(parts: GroupPart[]): GroupWalk {
  return async function* (from, ascending) {
    for (const part of ascending ? parts : [...parts].reverse()) {
      if (from === undefined || (ascending ? part.value >= from : part.value <= from)) yield part;
    }
  };
}

/** Priorities as groups: those tasks have (values no longer configured included), narrowed to `allowed`. */
export async function priorityGroups(db: Knex, allowed: number[] | undefined): Promise<GroupWalk> {
  const values = (await findPriorityValues(db)).filter((v) => !allowed || allowed.includes(v)).reverse();
  return listedGroups(values.map((v) => groupPart('priority', v, [])));
}

/**
 * Statuses as groups, valued by their place in the configuration as groupKey values them, narrowed to
 * `allowed`; statuses no longer configured form the last group.
 */
export function statusGroups(configured: string[], allowed: string[] | undefined): GroupWalk {
  const parts = configured.flatMap((key, i) => (!allowed || allowed.includes(key) ? [groupPart('status', i + 1, configured)] : []));
  if (!allowed) parts.push(groupPart('status', 1000, configured));
  return listedGroups(parts);
}

/**
 * Owners in owner_ordering order, found one at a time among the filtered tasks by an index probe
 * each: there may be thousands, and a page usually spans a few. Comparisons are the database's, so
 * its collation decides the order, as it does in the index.
 */
export function ownerGroups(db: Knex, viewer: Actor | null, f: TaskFilter): GroupWalk {
  return async function* (from, ascending) {
    let current = from === undefined ? undefined : String(from);
    let inclusive = true;
    for (;;) {
      const probe = filtered(db, viewer, f, null).first('tasks.owner_ordering as v').orderBy('tasks.owner_ordering', ascending ? 'asc' : 'desc');
      if (current !== undefined) probe.where('tasks.owner_ordering', ascending ? (inclusive ? '>=' : '>') : inclusive ? '<=' : '<', current);
      const row = (await probe) as { v: string } | undefined;
      if (!row) return;
      const value = row.v;
      yield groupPart('owner', value, []);
      current = value;
      inclusive = false;
    }
  };
}

/** The value of the group of untagged tasks: after every hashtag, whose characters are [a-z0-9_-]. */
export const NO_PROJECT = '~';

/**
 * Projects as groups, in the order of their primary hashtags, then the untagged tasks. A task tagged
 * with several projects is in each of their groups. Only projects that tag some task are listed.
 */
export async function projectGroups(db: Knex): Promise<GroupPart[]> {
  // Sorted here, not by the database's collation: the walk compares values as JavaScript does.
  const projects = (await findTaggingProjects(db)).sort((a, b) => (a.hashtag < b.hashtag ? -1 : a.hashtag > b.hashtag ? 1 : 0));
  const tagged = (projectId: number | null) => (sub: Knex.QueryBuilder) => {
    sub.select(db.raw('1')).from('task_projects as tg').whereRaw('tg.task_id = tasks.id');
    if (projectId !== null) sub.where('tg.project_id', projectId);
  };
  // Counted, a project's group is read from its tags: the planner, costing every probe of the task table as a
  // disk read, would otherwise scan a whole filter's index (all open tasks, at a million tasks 230,000 entries)
  // against a hash of the project's tags. An array of ids leaves it only the primary key to probe them by.
  const taggedIds = (projectId: number) => (qb: Knex.QueryBuilder) =>
    qb.whereRaw('tasks.id = ANY(ARRAY(SELECT tc.task_id FROM task_projects tc WHERE tc.project_id = ?))', [projectId]);
  return [
    ...projects.map((p): GroupPart => ({ value: p.hashtag, where: (qb) => qb.whereExists(tagged(p.id)), countWhere: taggedIds(p.id) })),
    { value: NO_PROJECT, where: (qb) => qb.whereNotExists(tagged(null)) },
  ];
}

/**
 * The priorities tasks have, highest first: one index probe per value (a loose index scan), so that
 * values no longer configured still form their groups.
 */
async function findPriorityValues(db: Knex): Promise<number[]> {
  const result = await db.raw(
    `WITH RECURSIVE p(v) AS (
       (SELECT priority FROM tasks ORDER BY priority DESC LIMIT 1)
       UNION ALL
       SELECT (SELECT priority FROM tasks WHERE priority < p.v ORDER BY priority DESC LIMIT 1) FROM p WHERE p.v IS NOT NULL
     )
     SELECT v FROM p WHERE v IS NOT NULL`,
  );
  return (result.rows as { v: number | string }[]).map((row) => Number(row.v));
}

/** The condition selecting one value of a grouping, as the page's keys hold it. */
export function groupPart(group: 'priority' | 'owner' | 'status', value: number | string, configuredStatuses: string[]): GroupPart {
  switch (group) {
    case 'priority':
      return { value, where: (qb) => qb.where('tasks.priority', value) };
    case 'owner':
      return { value, where: (qb) => qb.where('tasks.owner_ordering', value) };
    case 'status': {
      // Statuses are keyed by their place in the configuration; 1000 stands for any status no longer configured.
      const key = configuredStatuses[Number(value) - 1];
      return { value, where: (qb) => (key !== undefined ? qb.where('tasks.status', key) : qb.whereNotIn('tasks.status', configuredStatuses)) };
    }
  }
}
