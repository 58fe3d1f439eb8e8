import type { Knex } from 'knex';
import type { ImportEvent, ImportLink, ImportTask } from './import-task';

/** SQL of the importer: the source records, and task rows written with their own numbers. */

export type SourceKind = 'user' | 'task' | 'project' | 'column';

export async function findSources(db: Knex, kind: SourceKind, phids: string[]): Promise<Map<string, { localId: number; modified: number }>> {
  if (!phids.length) return new Map();
  const rows = (await db('import_sources').where({ kind }).whereIn('phid', phids).select('phid', 'local_id', 'modified')) as { phid: string; local_id: number; modified: string | number }[];
  return new Map(rows.map((r) => [r.phid, { localId: r.local_id, modified: Number(r.modified) }]));
}

export async function recordSource(db: Knex, kind: SourceKind, phid: string, localId: number, modified: number): Promise<void> {
  await db.raw(
    `INSERT INTO import_sources (phid, kind, local_id, modified) VALUES (?, ?, ?, ?)
     ON CONFLICT (phid) DO UPDATE SET local_id = EXCLUDED.local_id, modified = EXCLUDED.modified`,
    [phid, kind, localId, modified],
  );
}

export async function findUserIdByUsername(db: Knex, username: string): Promise<{ id: number; username: string } | null> {
  return ((await db('users').whereRaw('lower(username) = lower(?)', [username]).first('id', 'username')) as { id: number; username: string } | undefined) ?? null;
}

export async function insertImportedUser(db: Knex, u: { username: string; realname: string; role: string; disabled: boolean; createdAt: Date | null; phid: string | null }): Promise<number> {
  const [row] = await db('users')
    .insert({
      username: u.username,
      realname: u.realname,
      role: u.role,
      // No password: the account signs in after a password reset, or once an administrator sets one.
      password_hash: '',
      disabled_at: u.disabled ? db.fn.now() : null,
      ...(u.createdAt ? { created_at: u.createdAt, updated_at: u.createdAt } : {}),
      ...(u.phid ? { phid: u.phid } : {}),
    })
    .returning('id');
  return (row as { id: number }).id;
}

export async function setUserDisabled(db: Knex, id: number, disabled: boolean): Promise<void> {
  await db('users')
    .where({ id })
    .update({ disabled_at: disabled ? db.raw('coalesce(disabled_at, now())') : null });
}

export async function phidTaken(db: Knex, table: 'users' | 'tasks' | 'projects', phid: string): Promise<boolean> {
  return Boolean(await db(table).where({ phid }).first('id'));
}

export async function insertProject(db: Knex, p: { name: string; description: string; authorId: number; hashtag: string | null; archived: boolean; phid: string | null }): Promise<number> {
  const [row] = await db('projects')
    .insert({ name: p.name, description: p.description, author_id: p.authorId, closed_at: p.archived ? db.fn.now() : null, ...(p.phid ? { phid: p.phid } : {}) })
    .returning('id');
  const id = (row as { id: number }).id;
  if (p.hashtag) await db.raw('INSERT INTO project_hashtags (hashtag, project_id, position) VALUES (?, ?, 0) ON CONFLICT (hashtag) DO NOTHING', [p.hashtag, id]);
  return id;
}

/** Tasks here that an import did not write, with numbers up to `upTo`: a clash with incoming numbers. */
export async function countForeignTasks(db: Knex, from: number, upTo: number): Promise<number> {
  const row = await db('tasks')
    .whereBetween('id', [from, upTo])
    .whereNotExists(db('import_sources').where({ kind: 'task' }).whereRaw('import_sources.local_id = tasks.id'))
    .count<{ n: number }[]>({ n: '*' })
    .first();
  return Number(row?.n ?? 0);
}

function taskColumns(t: ImportTask) {
  return {
    title: t.title,
    description: t.description,
    status: t.status,
    priority: t.priority,
    owner_id: t.ownerId,
    owner_ordering: t.ownerOrdering,
    author_id: t.authorId,
    view_policy: t.view,
    created_at: t.createdAt,
    updated_at: t.updatedAt,
    closed_at: t.closedAt,
    closer_id: t.closerId,
    points: t.points,
    markup: t.markup,
  };
}

/** Writes a new task with its own number; identity columns take a given value only when told to. */
export async function insertTaskWithId(trx: Knex.Transaction, t: ImportTask): Promise<void> {
  const row = { id: t.id, ...taskColumns(t), ...(t.phid ? { phid: t.phid } : {}) };
  const cols = Object.keys(row);
  await trx.raw(`INSERT INTO tasks (${cols.map(() => '??').join(', ')}) OVERRIDING SYSTEM VALUE VALUES (${cols.map(() => '?').join(', ')})`, [
    ...cols,
    ...Object.values(row),
  ]);
}

/**
 * Rewrites an imported task from the source: its row, subscribers, tags and own
 * history. Lines other tasks wrote on it (back-links) stay.
 */
export async function clearImportedTask(trx: Knex.Transaction, t: ImportTask): Promise<void> {
  await trx('tasks').where({ id: t.id }).update(taskColumns(t));
  await trx('task_events').where({ task_id: t.id }).whereNot({ type: 'mentioned' }).del();
  await trx('task_subscribers').where({ task_id: t.id }).del();
  await trx('task_projects').where({ task_id: t.id }).del();
}

export async function insertTaskParts(trx: Knex.Transaction, t: ImportTask): Promise<void> {
  if (t.subscriberIds.length) await trx('task_subscribers').insert(t.subscriberIds.map((user_id) => ({ task_id: t.id, user_id, created_at: t.createdAt })));
  if (t.projectIds.length) await trx('task_projects').insert(t.projectIds.map((project_id) => ({ task_id: t.id, project_id })));
  // Bounded batches: a task with tens of thousands of transactions stays within the bind-parameter limit.
  for (let i = 0; i < t.events.length; i += 500) await trx('task_events').insert(t.events.slice(i, i + 500).map((e) => eventRow(t.id, e)));
  await trx.raw(
    `UPDATE tasks SET comments_vector = coalesce((
       SELECT ts_delete(setweight(to_tsvector('english'::regconfig, string_agg(new_value #>> '{}', ' trellisgap trellisgap trellisgap ' ORDER BY id)), 'C'), 'trellisgap')
       FROM task_events WHERE task_id = ? AND type = 'comment'), ''::tsvector)
     WHERE id = ?`,
    [t.id, t.id],
  );
}

function eventRow(taskId: number, e: ImportEvent) {
  return {
    task_id: taskId,
    group_id: e.groupId,
    actor_id: e.actorId,
    type: e.type,
    old_value: e.old === undefined ? null : JSON.stringify(e.old),
    new_value: e.new === undefined ? null : JSON.stringify(e.new),
    source: 'import',
    created_at: e.at,
    markup: e.markup,
    ...(e.phid ? { phid: e.phid } : {}),
  };
}

/** Where links point: the local ids of source PHIDs and of T-numbers that exist here. */
export async function resolveLinkTargets(trx: Knex.Transaction, keys: string[]): Promise<Map<string, number>> {
  const phids = keys.filter((k) => k.startsWith('PHID-'));
  const ids = keys.filter((k) => /^T\d+$/.test(k)).map((k) => Number(k.slice(1))).filter((n) => n <= 2147483647);
  const found = new Map<string, number>();
  if (phids.length) for (const [phid, s] of await findSources(trx, 'task', phids)) found.set(phid, s.localId);
  if (ids.length) for (const r of (await trx('tasks').whereIn('id', ids).select('id')) as { id: number }[]) found.set(`T${r.id}`, r.id);
  return found;
}

export async function addPendingLinks(trx: Knex.Transaction, srcId: number, links: ImportLink[]): Promise<void> {
  if (!links.length) return;
  await trx('import_pending_links')
    .insert(links.map((l) => ({ src_task_id: srcId, kind: l.kind, dst_key: l.dstKey, actor_id: l.actorId, at: l.at })))
    .onConflict(['dst_key', 'kind', 'src_task_id'])
    .ignore();
}

/** Links other tasks left for this one before it existed: taken, so each is written once. */
export async function takePendingLinks(trx: Knex.Transaction, keys: string[]): Promise<{ srcId: number; kind: ImportLink['kind']; actorId: number; at: Date }[]> {
  const rows = (await trx('import_pending_links').whereIn('dst_key', keys).del().returning(['src_task_id', 'kind', 'actor_id', 'at'])) as {
    src_task_id: number;
    kind: ImportLink['kind'];
    actor_id: number;
    at: Date;
  }[];
  return rows.map((r) => ({ srcId: r.src_task_id, kind: r.kind, actorId: r.actor_id, at: r.at }));
}

/** A mention both ways, and the target's "mentioned this in" line, once per pair. */
export async function writeMention(trx: Knex.Transaction, srcId: number, dstId: number, actorId: number, at: Date, groupId: string): Promise<void> {
  const added = await trx.raw(
    `INSERT INTO task_edges (src_task_id, type, dst_task_id, created_at) VALUES (?, 'mentions', ?, ?)
     ON CONFLICT DO NOTHING RETURNING dst_task_id`,
    [srcId, dstId, at],
  );
  if (!(added.rows as unknown[]).length) return;
  await trx.raw(`INSERT INTO task_edges (src_task_id, type, dst_task_id, created_at) VALUES (?, 'mentioned-in', ?, ?) ON CONFLICT DO NOTHING`, [dstId, srcId, at]);
  await trx('task_events').insert({ task_id: dstId, group_id: groupId, actor_id: actorId, type: 'mentioned', old_value: null, new_value: JSON.stringify(srcId), source: 'import', created_at: at });
}

export async function writeMerge(trx: Knex.Transaction, duplicateId: number, survivorId: number, at: Date): Promise<void> {
  await trx.raw(
    `INSERT INTO task_edges (src_task_id, type, dst_task_id, created_at) VALUES (?, 'merged-into', ?, ?), (?, 'merged-from', ?, ?) ON CONFLICT DO NOTHING`,
    [duplicateId, survivorId, at, survivorId, duplicateId, at],
  );
}

export async function writeSubtask(trx: Knex.Transaction, parentId: number, childId: number, at: Date): Promise<void> {
  await trx.raw('INSERT INTO task_subtasks (parent_id, child_id, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING', [parentId, childId, at]);
}

/**
 * Moves the task numbers past the highest one used or about to be imported, so a task filed
 * here while an import runs (or after one was interrupted) never takes a number it needs.
 */
export async function moveTaskSequence(db: Knex, atLeast = 1): Promise<void> {
  await db.raw(`SELECT setval(pg_get_serial_sequence('tasks', 'id'), GREATEST((SELECT max(id) FROM tasks), ?, coalesce(pg_sequence_last_value(pg_get_serial_sequence('tasks', 'id')::regclass), 0)))`, [atLeast]);
}

/** Fresh planner statistics for what an import filled (some installs run without autovacuum). */
export async function analyzeImported(db: Knex): Promise<void> {
  for (const table of ['users', 'projects', 'tasks', 'task_events', 'task_subscribers', 'task_projects', 'task_edges', 'task_subtasks', 'import_sources']) {
    await db.raw(`ANALYZE ${table}`);
  }
}

export async function countPendingLinks(db: Knex): Promise<number> {
  const row = await db('import_pending_links').count<{ n: number }[]>({ n: '*' }).first();
  return Number(row?.n ?? 0);
}
