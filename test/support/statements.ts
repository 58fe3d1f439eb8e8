import type { Knex } from 'knex';

/** A statement as knex reports it when it sends one. */
export interface SentStatement {
  sql: string;
  bindings: readonly unknown[];
  /** The name it is prepared under, if it is. */
  name?: string;
  options: Record<PropertyKey, unknown>;
}

interface QueryEvent {
  sql: string;
  bindings?: readonly unknown[];
  options?: Record<PropertyKey, unknown> & { name?: string };
}

/**
 * Every statement `db` sends while `run` runs, in order, with what `run` gave back. Each statement
 * is a round trip a request waits for, which is what tests of a path's cost count.
 */
export async function recordStatements<T>(db: Knex, run: () => Promise<T>): Promise<{ result: T; statements: SentStatement[] }> {
  const statements: SentStatement[] = [];
  const listen = (q: QueryEvent) => statements.push({ sql: q.sql, bindings: q.bindings ?? [], name: q.options?.name, options: q.options ?? {} });
  db.on('query', listen);
  try {
    return { result: await run(), statements };
  } finally {
    db.off('query', listen);
  }
}

/** The SQL a request sends for its page: a session's sliding expiry, written now and then whatever the page, is left out. */
export async function pageStatements<T>(db: Knex, run: () => Promise<T>): Promise<{ result: T; sql: string[]; statements: SentStatement[] }> {
  const { result, statements } = await recordStatements(db, run);
  const page = statements.filter((s) => !/^update "sessions"/i.test(s.sql));
  return { result, sql: page.map((s) => s.sql), statements: page };
}
