import type { Knex } from 'knex';

/**
 * A table analyzed for its changes is not analyzed for them again sooner than this, as autovacuum
 * looks once a minute by default: a busy table would otherwise be analyzed at every look.
 */
export const CHANGED_TABLE_SECONDS = 60;

/**
 * The tables of this schema whose planner statistics have fallen behind, where
 * nothing else keeps them up: when no autovacuum launcher runs (autovacuum off,
 * or the embedded database, which has none), or the table has autovacuum turned
 * off. Behind is what PostgreSQL's own autovacuum would call it (more changed
 * rows since the last ANALYZE than `autovacuum_analyze_threshold` plus
 * `autovacuum_analyze_scale_factor` of the rows, and not analyzed in the last
 * CHANGED_TABLE_SECONDS), or a table at least twice, and 8 pages more than, the
 * size its statistics give it.
 *
 * The second rule is the one that matters most: a table analyzed while nearly
 * empty (the mail queue, the job queue, a new install's tasks) keeps telling the
 * planner so. A named statement then keeps the sequential scan planned for it,
 * on every connection, however large the table grows.
 */
export async function staleTables(db: Knex): Promise<string[]> {
  const result = await db.raw(
    `SELECT c.relname AS name
       FROM pg_class c
       LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid
      WHERE c.relkind = 'r' AND c.relnamespace = current_schema()::regnamespace
        AND (NOT EXISTS (SELECT 1 FROM pg_stat_activity WHERE backend_type = 'autovacuum launcher')
             OR coalesce(c.reloptions, '{}') @> ARRAY['autovacuum_enabled=false'])
        AND ((coalesce(s.n_mod_since_analyze, 0) > current_setting('autovacuum_analyze_threshold')::float8
                 + current_setting('autovacuum_analyze_scale_factor')::float8 * greatest(c.reltuples, 0)
              AND coalesce(greatest(s.last_analyze, s.last_autoanalyze), '-infinity') < now() - make_interval(secs => ?))
             OR pg_relation_size(c.oid) / current_setting('block_size')::int >= greatest(2 * c.relpages, c.relpages + 8))
      ORDER BY c.relname`,
    [CHANGED_TABLE_SECONDS],
  );
  return (result.rows as { name: string }[]).map((r) => r.name);
}

/** Gathers fresh statistics of the tables; PostgreSQL then plans again every statement that read them. */
export async function analyzeTables(db: Knex, names: string[]): Promise<void> {
  for (const name of names) await db.raw('ANALYZE ??', [name]);
}
