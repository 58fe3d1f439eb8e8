import type { Knex } from 'knex';
import { prepared } from '../../db/prepared';

export interface SavedQuery {
  id: number;
  ownerId: number;
  /** The random part of its URL, /maniphest/query/<key>/. */
  key: string;
  name: string;
  /** The filter form's parameters as a URL query string. */
  params: string;
  position: number;
}

interface SavedQueryRow {
  id: number;
  owner_id: number;
  query_key: string;
  name: string;
  params: string;
  position: number;
}

const COLUMNS = ['id', 'owner_id', 'query_key', 'name', 'params', 'position'];

function toSavedQuery(r: SavedQueryRow): SavedQuery {
  return { id: r.id, ownerId: r.owner_id, key: r.query_key, name: r.name, params: r.params, position: r.position };
}

export async function listSavedQueries(db: Knex, ownerId: number): Promise<SavedQuery[]> {
  const rows = (await prepared('saved_queries', db('saved_queries').select(COLUMNS).where({ owner_id: ownerId }).orderBy([{ column: 'position' }, { column: 'id' }]))) as SavedQueryRow[];
  return rows.map(toSavedQuery);
}

export async function findSavedQuery(db: Knex, key: string): Promise<SavedQuery | null> {
  const row = (await db('saved_queries').select(COLUMNS).where({ query_key: key }).first()) as SavedQueryRow | undefined;
  return row ? toSavedQuery(row) : null;
}

/** Appends to the owner's list; the owner's row is locked so two saves at once take different positions. */
export async function insertSavedQuery(db: Knex, q: { ownerId: number; key: string; name: string; params: string }): Promise<SavedQuery> {
  return db.transaction(async (trx) => {
    await trx('users').select('id').where({ id: q.ownerId }).forNoKeyUpdate().first();
    const last = (await trx('saved_queries').max({ p: 'position' }).where({ owner_id: q.ownerId }).first()) as { p: number | null } | undefined;
    const [row] = (await trx('saved_queries')
      .insert({ owner_id: q.ownerId, query_key: q.key, name: q.name, params: q.params, position: Number(last?.p ?? 0) + 1 })
      .returning(COLUMNS)) as SavedQueryRow[];
    return toSavedQuery(row!);
  });
}

export async function renameSavedQuery(db: Knex, ownerId: number, key: string, name: string): Promise<boolean> {
  const rows = await db('saved_queries').where({ owner_id: ownerId, query_key: key }).update({ name, updated_at: db.fn.now() }).returning('id');
  return rows.length > 0;
}

/** Swaps the query with its neighbour; at either end it stays put. False when the owner has no such query. */
export async function moveSavedQuery(db: Knex, ownerId: number, key: string, direction: 'up' | 'down'): Promise<boolean> {
  return db.transaction(async (trx) => {
    const rows = (await trx('saved_queries')
      .select(COLUMNS)
      .where({ owner_id: ownerId })
      .orderBy([{ column: 'position' }, { column: 'id' }])
      .forUpdate()) as SavedQueryRow[];
    const i = rows.findIndex((r) => r.query_key === key);
    if (i < 0) return false;
    const j = direction === 'up' ? i - 1 : i + 1;
    const a = rows[i]!;
    const b = rows[j];
    if (!b) return true;
    await trx('saved_queries').where({ id: a.id }).update({ position: b.position, updated_at: trx.fn.now() });
    await trx('saved_queries').where({ id: b.id }).update({ position: a.position, updated_at: trx.fn.now() });
    return true;
  });
}

export async function deleteSavedQuery(db: Knex, ownerId: number, key: string): Promise<boolean> {
  // Counted from RETURNING: knex-pglite reports a DELETE's row count as a result object, not a number.
  const rows = await db('saved_queries').where({ owner_id: ownerId, query_key: key }).delete().returning('id');
  return rows.length > 0;
}
