import type { Knex } from 'knex';

/**
 * PHIDs as Phabricator writes them: a type prefix and random characters of
 * a-z2-7. A plain SQL function, so column defaults can call it on
 * PostgreSQL and PGlite alike, without an extension; PHIDs are identifiers,
 * not secrets, so random() is enough, and unique indexes catch the impossible.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE FUNCTION trellis_random_phid(prefix text, length integer) RETURNS text
    LANGUAGE sql VOLATILE
    AS $$
      SELECT prefix || string_agg(substr('abcdefghijklmnopqrstuvwxyz234567', 1 + floor(random() * 32)::integer, 1), '')
      FROM generate_series(1, length)
    $$`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP FUNCTION trellis_random_phid(text, integer)');
}
