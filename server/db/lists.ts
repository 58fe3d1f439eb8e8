import type { Knex } from 'knex';

/**
 * Lists in SQL as ONE array parameter: `column = ANY($1)`. knex's whereIn and
 * a multi-row insert bind one parameter per value, and PostgreSQL refuses a
 * statement with more than 65,535 of them, so a long list of ids or names
 * would fail. Ids go as bigint[] (a value past the int range matches nothing
 * instead of failing the cast), names and keys as text[].
 */
export type ListType = 'bigint' | 'text';

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
