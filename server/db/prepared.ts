import type { Knex } from 'knex';

/**
 * Names a statement, so that PostgreSQL parses and plans it once per connection
 * instead of on every call: for the small statements of a hot path that was
 * most of the server's time per statement (a task by id: about 150 µs of
 * server CPU unnamed, 30 µs named).
 *
 * Only for a statement whose SQL is the same on every call, since a name stands
 * for one text on a connection (pg refuses a name reused for other SQL): no
 * lists spelled out one parameter each (`= ANY(?)` is one), no conditions that
 * depend on the viewer, and the name given once the statement is complete. And
 * only with its columns named: a prepared `select *` fails once a migration
 * adds a column. PGlite ignores the name.
 */
export function prepared<Q extends Knex.QueryBuilder | Knex.Raw>(name: string, query: Q): Q {
  const full = `trellis_${name}`;
  if (texts) sameText(full, query.toSQL().sql);
  return naming ? (query.options({ name: full }) as Q) : query;
}

/**
 * A name lives on one server connection, and a pooler in transaction mode
 * hands each transaction any connection: PgBouncer before 1.21 (and later ones
 * without `max_prepared_statements`) answers "prepared statement does not
 * exist". Behind DATABASE_POOLER=pgbouncer statements go unnamed; one process
 * has one database, so the choice is the process's.
 */
let naming = true;

export function nameStatements(on: boolean): void {
  naming = on;
}

/**
 * Under test, every name's text is checked on every use, whichever connection
 * runs it: a name given to two texts fails the test that reaches the second,
 * not a production connection that happens to have seen the first.
 */
const texts = process.env.NODE_ENV === 'test' ? new Map<string, string>() : null;

function sameText(name: string, sql: string): void {
  const known = texts!.get(name);
  if (known === undefined) texts!.set(name, sql);
  else if (known !== sql) throw new Error(`The prepared statement ${name} was given two texts:\n${known}\n${sql}`);
}

/** The knex option that asks NamingPgClient to name a statement after its compiled text. */
export const BY_TEXT = 'trellisNameByText';

/**
 * Names a statement whose text varies with the request (a list's filters, order and grouping) after that
 * text, so each variant is parsed and planned once per connection. PostgreSQL then plans a variant
 * without parameters once (a generic plan); with parameters it tries custom plans first and keeps the
 * generic one only when it costs no more.
 *
 * Only for statements whose parameters do not decide which plan is best: values that do (statuses,
 * priorities, visibility levels, limits) go into the text itself (`whereAmong`, `limit(n, { skipBinding: true })`),
 * so that each set of them is a variant with a plan made for it; ids, people and cursors stay parameters.
 */
export function preparedByText<Q extends Knex.QueryBuilder | Knex.Raw>(query: Q): Q {
  // Whether it is named after all (not behind a pooler, not past the bound) is nameForText's to say.
  return query.options({ [BY_TEXT]: true }) as Q;
}

/**
 * How many texts are named. A name and its plan live on every connection that ran it for as long as the
 * connection does, so past this many the rarer variants (those seen last) go unnamed.
 */
export const MAX_TEXT_NAMES = 100;

const textNames = new Map<string, string>();

/** The name of a text, given on its first use; null past MAX_TEXT_NAMES, or when statements go unnamed. */
export function nameForText(sql: string, hash: (sql: string) => string): string | null {
  if (!naming) return null;
  const known = textNames.get(sql);
  if (known) return known;
  if (textNames.size >= MAX_TEXT_NAMES) return null;
  const name = `trellis_t_${hash(sql)}`;
  textNames.set(sql, name);
  return name;
}
