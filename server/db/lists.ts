import type { Knex } from 'knex';
import pg from 'pg';

/**
 * Lists in SQL as ONE array parameter: `column = ANY($1)`. knex's whereIn and
 * a multi-row insert bind one parameter per value, and PostgreSQL refuses a
 * statement with more than 65,535 of them, so a long list of ids or names
 * would fail. Ids go as bigint[] (a value past the int range matches nothing
 * instead of failing the cast), names and keys as text[].
 */
export type ListType = 'bigint' | 'text' | 'uuid';

/** pg and PGlite both send a JavaScript array as a PostgreSQL array, in one parameter. */
function values(list: Iterable<number | string>): Knex.Value {
  return [...new Set(list)] as string[] | number[];
}

/** `WHERE column = ANY(list)`; `column` is an identifier (`tasks.id`) or, with `raw`, an SQL expression. */
export function whereAny<Q extends Knex.QueryBuilder>(qb: Q, column: string, list: Iterable<number | string>, type: ListType, raw = false): Q {
  return qb.whereRaw(`${raw ? column : '??'} = ANY(?::${type}[])`, raw ? [values(list)] : [column, values(list)]) as Q;
}

export function orWhereAny<Q extends Knex.QueryBuilder>(qb: Q, column: string, list: Iterable<number | string>, type: ListType, raw = false): Q {
  return qb.orWhereRaw(`${raw ? column : '??'} = ANY(?::${type}[])`, raw ? [values(list)] : [column, values(list)]) as Q;
}

/**
 * `WHERE column = ANY(ARRAY[…])` with the values written into the statement: for values of a small,
 * fixed set (configured statuses, priorities, visibility levels) that decide which plan is best, so a
 * named statement (`preparedByText`) is planned for the very values it filters by. Numbers must be
 * integers; text is quoted as a literal.
 */
export function whereAmong<Q extends Knex.QueryBuilder>(qb: Q, column: string, list: Iterable<number | string>, type: 'bigint' | 'text'): Q {
  const literals = [...new Set(list)].map((v) => {
    // knex reads a bare ? in raw SQL as a parameter's place, even within a literal.
    if (type === 'text') return pg.escapeLiteral(String(v)).replace(/\?/g, '\\?');
    if (!Number.isSafeInteger(v)) throw new Error(`${column} is filtered by an integer, not ${String(v)}.`);
    return String(v);
  });
  // One value as a plain equality: an index led by the column then also serves the order after it, which
  // PostgreSQL 15 does not see through `= ANY(…)`, even of one element.
  if (literals.length === 1) return qb.whereRaw(`?? = ${literals[0]}::${type}`, [column]) as Q;
  return qb.whereRaw(`?? = ANY(ARRAY[${literals.join(', ')}]::${type}[])`, [column]) as Q;
}

/** Parameters one batch of an insert may bind: well under the limit, since a raw value can bind more than one. */
const BATCH_PARAMETERS = 30_000;

/**
 * A multi-row insert, split into statements that each stay under
 * PostgreSQL's parameter limit (a row binds one parameter per column). The
 * rows come back in the order given, as one statement returns them.
 */
export async function insertInBatches<R>(db: Knex | Knex.Transaction, table: string, rows: Record<string, unknown>[], returning: string): Promise<R[]> {
  const size = Math.max(1, Math.floor(BATCH_PARAMETERS / Math.max(1, Object.keys(rows[0] ?? {}).length)));
  const out: R[] = [];
  for (let i = 0; i < rows.length; i += size) out.push(...((await db(table).insert(rows.slice(i, i + size)).returning(returning)) as R[]));
  return out;
}
