import type { Knex } from 'knex';

/**
 * Runs independent reads side by side on the pool, and one after another in a
 * transaction: a transaction is one connection, which takes one statement at
 * a time (pg queues the rest and warns that it will stop doing so).
 */
export async function readAll<T extends readonly unknown[]>(db: Knex, reads: { [K in keyof T]: () => Promise<T[K]> }): Promise<T> {
  if (!(db as Knex.Transaction).isTransaction) return (await Promise.all(reads.map((read) => read()))) as unknown as T;
  const results: unknown[] = [];
  for (const read of reads) results.push(await read());
  return results as unknown as T;
}
