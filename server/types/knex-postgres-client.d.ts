declare module 'knex/lib/dialects/postgres' {
  import type { Knex } from 'knex';
  /** knex's PostgreSQL client, which knex ships without types; `_query` sends one compiled statement. */
  class ClientPg extends Knex.Client {
    _query(connection: unknown, obj: { sql: string; bindings?: unknown[]; options?: Record<string, unknown> }): Promise<unknown>;
  }
  export = ClientPg;
}
