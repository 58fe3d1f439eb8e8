import type { Knex } from 'knex';

const tablesOf = new WeakMap<Knex, Promise<string[]>>();

/** The app's tables, read from the catalogue: a table added by a migration is included the day it lands. */
function appTables(db: Knex): Promise<string[]> {
  let tables = tablesOf.get(db);
  if (!tables) {
    tables = db('information_schema.tables')
      .where({ table_schema: 'public', table_type: 'BASE TABLE' })
      .whereNot('table_name', 'like', 'knex_migrations%')
      .orderBy('table_name')
      .select('table_name')
      .then((rows: { table_name: string }[]) => rows.map((r) => r.table_name));
    tablesOf.set(db, tables);
  }
  return tables;
}

/**
 * A digest of every row of every table, per table, in one round trip: what
 * "nothing was written" compares, and a changed table is named by its key.
 */
export async function everyRow(db: Knex): Promise<Record<string, string>> {
  const tables = await appTables(db);
  const parts = tables.map((table) => `SELECT '${table}' AS name, count(*) || ':' || coalesce(md5(string_agg(t::text, '|' ORDER BY t::text)), '') AS digest FROM "${table}" AS t`);
  const result = await db.raw(parts.join(' UNION ALL '));
  const rows = (result.rows ?? result) as { name: string; digest: string }[];
  return Object.fromEntries(rows.map((r) => [r.name, r.digest]));
}

/** The tables whose rows differ between two digests, less those named in `ignore`. */
export function changedTables(before: Record<string, string>, after: Record<string, string>, ignore: ReadonlySet<string> = new Set()): string[] {
  return Object.keys(after).filter((table) => !ignore.has(table) && after[table] !== before[table]);
}
