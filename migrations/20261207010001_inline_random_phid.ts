import type { Knex } from 'knex';

/**
 * trellis_random_phid as one expression, which PostgreSQL inlines into the column defaults that call it.
 * The first version aggregated over generate_series, so no statement could inline it: every INSERT that
 * took a PHID from it set the function up again, about 90 µs of the server's time a call, two calls a
 * comment (measured with track_functions on the comment scenario).
 *
 * Same alphabet (a-z2-7), evenly spread: base64 of md5 digests, each of its 64 characters translated to
 * one of 32, two to each. Two digests (32 bytes) make 42 whole base64 characters, drawn from two values
 * of the generator (about 104 bits); PHIDs are identifiers, not secrets, and unique indexes catch the
 * impossible. Lengths past 42 are cut to 42; Trellis asks for 15 and 20.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE OR REPLACE FUNCTION trellis_random_phid(prefix text, length integer) RETURNS text
    LANGUAGE sql VOLATILE
    AS $$
      SELECT prefix || translate(
        substr(encode(decode(md5(random()::text) || md5(random()::text), 'hex'), 'base64'), 1, least(length, 42)),
        'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/',
        'abcdefghijklmnopqrstuvwxyz234567abcdefghijklmnopqrstuvwxyz234567')
    $$`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE OR REPLACE FUNCTION trellis_random_phid(prefix text, length integer) RETURNS text
    LANGUAGE sql VOLATILE
    AS $$
      SELECT prefix || string_agg(substr('abcdefghijklmnopqrstuvwxyz234567', 1 + floor(random() * 32)::integer, 1), '')
      FROM generate_series(1, length)
    $$`);
}
