import type { Knex } from 'knex';

/**
 * Every row of every table of the app, in a stable order: what "nothing was
 * written" compares. New tables are included the day their migration lands.
 */
export async function everyRow(db: Knex): Promise<Record<string, unknown[]>> {
  const tables = (
    await db('information_schema.tables')
      .where({ table_schema: 'public', table_type: 'BASE TABLE' })
      .whereNot('table_name', 'like', 'knex_migrations%')
      .orderBy('table_name')
      .select('table_name')
  ).map((r: { table_name: string }) => r.table_name);
  const rows: Record<string, unknown[]> = {};
  for (const table of tables) {
    const result = await db.raw(`SELECT * FROM "${table}" AS t ORDER BY t::text`);
    rows[table] = (result.rows ?? result) as unknown[];
  }
  return rows;
}
