import type { Knex } from 'knex';
import { VIEW_POLICIES } from '../tracker-config';
import { whereAmong, whereAny } from '../db/lists';
import { whereFields } from '../fields/filter';
import { visiblePolicies } from '../tasks/policy';
import type { Actor } from '../users/roles';
import { DUE_KEY, NO_DUE, POINTS } from './keyset';
import type { DueFilter, TaskFilter } from './query';
import type { ParsedText } from './text';

function tsquery(text: ParsedText): { sql: string; bindings: string[] } {
  const parts: string[] = [];
  const bindings: string[] = [];
  // Text with no terms at all ("title:&") is an empty query, which matches nothing, like a search for "the".
  if (text.web || !text.titleWords.length) {
    parts.push(`websearch_to_tsquery('english'::regconfig, ?)`);
    bindings.push(text.web);
  }
  if (text.titleWords.length) {
    // Weight A marks title words: "word:A" matches only in titles.
    parts.push(`to_tsquery('english'::regconfig, ?)`);
    bindings.push(text.titleWords.map((w) => `${w}:A`).join(' & '));
  }
  return { sql: parts.join(' && '), bindings };
}

/**
 * A subquery for EXISTS: the tasks linked to the result row as its parents (or its subtasks),
 * among those the viewer may see, narrowed by `where`. A hidden task never counts.
 */
function linked(db: Knex, viewer: Actor | null, as: 'parent' | 'subtask', where: (q: Knex.QueryBuilder) => void) {
  const [mine, theirs] = as === 'parent' ? ['child_id', 'parent_id'] : ['parent_id', 'child_id'];
  const policies = visiblePolicies(viewer);
  return (sub: Knex.QueryBuilder) => {
    sub.select(db.raw('1')).from('task_subtasks as e').join('tasks as r', 'r.id', `e.${theirs}`).whereRaw(`e.${mine} = tasks.id`);
    if (!VIEW_POLICIES.every((p) => policies.includes(p))) {
      sub.where((w) => {
        whereAmong(w, 'r.view_policy', policies, 'text');
        if (viewer) w.orWhere('r.owner_id', viewer.id);
      });
    }
    where(sub);
  };
}

/** Every condition is on the due order's key, so the one index serves filters and order alike. */
function whereDue(qb: Knex.QueryBuilder, d: DueFilter) {
  if (d.set === false) qb.whereRaw(`${DUE_KEY} = ${NO_DUE}`);
  if (d.set === true || d.range) qb.whereRaw(`${DUE_KEY} < ${NO_DUE}`);
  if (d.range?.from) qb.whereRaw(`${DUE_KEY} >= ?`, [d.range.from]);
  if (d.range?.to) qb.whereRaw(`${DUE_KEY} < ?`, [d.range.to]);
  if (d.overdue) {
    // A whole day is missed once the next begins; a time, once it has passed.
    qb.whereRaw(`${DUE_KEY} <= ?`, [d.overdue.now]).whereRaw(`(${DUE_KEY} < ? OR length(tasks.due) > 10)`, [d.overdue.dayStart]);
    whereAmong(qb, 'tasks.status', d.overdue.openStatuses, 'text');
  }
}

/** Every filter, visibility included: the one WHERE clause of lists, counts, exports and the API. */
export function filtered(db: Knex, viewer: Actor | null, f: TaskFilter, text: ParsedText | null): Knex.QueryBuilder {
  const qb = db('tasks');
  if (text) {
    const q = tsquery(text);
    qb.joinRaw(`CROSS JOIN (SELECT ${q.sql} AS q) AS search`, q.bindings).whereRaw('tasks.search_vector @@ search.q');
  }
  const policies = visiblePolicies(viewer);
  // Seeing every visibility level is no condition at all (a CHECK allows no other value); leaving it out lets
  // counts be answered from an index alone instead of reading every row.
  if (!VIEW_POLICIES.every((p) => policies.includes(p))) {
    qb.where((w) => {
      whereAmong(w, 'tasks.view_policy', policies, 'text');
      if (viewer) w.orWhere('tasks.owner_id', viewer.id);
    });
  }
  if (f.ids) whereAny(qb, 'tasks.id', f.ids, 'bigint');
  if (f.owners) {
    const ids = f.owners.filter((o): o is number => o !== null);
    const nobody = f.owners.includes(null);
    qb.where((w) => {
      if (ids.length) whereAny(w, 'tasks.owner_id', ids, 'bigint');
      if (nobody) w.orWhereNull('tasks.owner_id');
      if (!ids.length && !nobody) w.whereRaw('false');
    });
  }
  if (f.authors) whereAny(qb, 'tasks.author_id', f.authors, 'bigint');
  if (f.closers) whereAny(qb, 'tasks.closer_id', f.closers, 'bigint');
  if (f.subscribers) {
    const ids = f.subscribers;
    qb.whereExists((sub) => whereAny(sub.select(db.raw('1')).from('task_subscribers as s').whereRaw('s.task_id = tasks.id'), 's.user_id', ids, 'bigint'));
  }
  if (f.projects) {
    const tagged = (ids: number[] | null) => (sub: Knex.QueryBuilder) => {
      sub.select(db.raw('1')).from('task_projects as tp').whereRaw('tp.task_id = tasks.id');
      if (ids) sub.whereIn('tp.project_id', ids);
    };
    const p = f.projects;
    if (p.any || p.none) {
      qb.where((w) => {
        if (p.any) w.whereExists(tagged(p.any));
        if (p.none) w.orWhereNotExists(tagged(null));
      });
    }
    for (const ids of p.all ?? []) qb.whereExists(tagged(ids));
    if (p.not?.length) qb.whereNotExists(tagged(p.not));
  }
  if (f.statuses) whereAmong(qb, 'tasks.status', f.statuses, 'text');
  if (f.parentIds) qb.whereExists(linked(db, viewer, 'parent', (s) => whereAny(s, 'r.id', f.parentIds!, 'bigint')));
  if (f.subtaskIds) qb.whereExists(linked(db, viewer, 'subtask', (s) => whereAny(s, 'r.id', f.subtaskIds!, 'bigint')));
  const open = f.openStatuses ?? [];
  if (f.hasOpenParents !== undefined) {
    const q = linked(db, viewer, 'parent', (s) => whereAmong(s, 'r.status', open, 'text'));
    if (f.hasOpenParents) qb.whereExists(q);
    else qb.whereNotExists(q);
  }
  if (f.hasOpenSubtasks !== undefined) {
    const q = linked(db, viewer, 'subtask', (s) => whereAmong(s, 'r.status', open, 'text'));
    if (f.hasOpenSubtasks) qb.whereExists(q);
    else qb.whereNotExists(q);
  }
  if (f.priorities) whereAmong(qb, 'tasks.priority', f.priorities, 'bigint');
  if (f.points) qb.whereRaw(`${POINTS} BETWEEN ?::float8 AND ?::float8`, [f.points.min ?? 0, f.points.max ?? 'Infinity']);
  if (f.due) whereDue(qb, f.due);
  if (f.custom?.length) whereFields(db, qb, f.custom);
  for (const [column, range] of [
    ['tasks.created_at', f.created],
    ['tasks.updated_at', f.updated],
    ['tasks.closed_at', f.closed],
  ] as const) {
    if (range?.from) qb.where(column, '>=', range.from);
    if (range?.to) qb.where(column, '<', range.to);
  }
  return qb;
}
