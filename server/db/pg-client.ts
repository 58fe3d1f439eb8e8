import { createHash } from 'node:crypto';
import ClientPg from 'knex/lib/dialects/postgres';
import { BY_TEXT, nameForText } from './prepared';

/**
 * knex's PostgreSQL client, which also names a statement marked by
 * `preparedByText` after its compiled SQL: the text is only known here, once
 * knex has compiled it for sending, so it is hashed here rather than
 * compiled a second time to find a name.
 */
export class NamingPgClient extends ClientPg {
  override _query(connection: unknown, obj: { sql: string; bindings?: unknown[]; options?: Record<string, unknown> }) {
    const options = obj.options;
    if (options?.[BY_TEXT]) {
      const { [BY_TEXT]: _marker, ...rest } = options;
      const name = nameForText(obj.sql, hashOf);
      obj.options = name ? { ...rest, name } : rest;
    }
    return super._query(connection, obj);
  }
}

const hashOf = (sql: string) => createHash('sha1').update(sql).digest('base64url').slice(0, 20);
