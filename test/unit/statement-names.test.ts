import { NamingPgClient } from '../../server/db/pg-client';
import { BY_TEXT, MAX_TEXT_NAMES, nameForText, nameStatements } from '../../server/db/prepared';

describe('the PostgreSQL client that names statements by their text', () => {
  /** What pg's client is handed: the query config, answered at once with no rows. */
  function capture() {
    const sent: Record<string, unknown>[] = [];
    const connection = { query: (config: Record<string, unknown>, done: (err: Error | null, res: unknown) => void) => (sent.push(config), done(null, { rows: [] })) };
    return { sent, connection };
  }
  const client = new NamingPgClient({ client: 'pg' });

  test('a marked statement goes out under the name of its text, and without the marker', async () => {
    const { sent, connection } = capture();
    await client._query(connection, { sql: 'select 1 as marked_once', bindings: [], options: { [BY_TEXT]: true, rowMode: 'array' } });
    await client._query(connection, { sql: 'select 1 as marked_once', bindings: [], options: { [BY_TEXT]: true } });
    expect(sent[0]!.name).toMatch(/^trellis_t_/);
    expect(sent[1]!.name).toBe(sent[0]!.name);
    expect(sent[0]!.rowMode).toBe('array');
    expect(sent[0]).not.toHaveProperty(BY_TEXT);
  });

  test('behind a pooler (statements unnamed), a marked statement goes out unnamed and without the marker', async () => {
    const { sent, connection } = capture();
    nameStatements(false);
    try {
      await client._query(connection, { sql: 'select 1 as behind_a_pooler', bindings: [], options: { [BY_TEXT]: true } });
    } finally {
      nameStatements(true);
    }
    expect(sent[0]).not.toHaveProperty('name');
    expect(sent[0]).not.toHaveProperty(BY_TEXT);
  });

  test('an unmarked statement keeps its own name, or none', async () => {
    const { sent, connection } = capture();
    await client._query(connection, { sql: 'select 2', bindings: [], options: { name: 'trellis_fixed' } });
    await client._query(connection, { sql: 'select 3', bindings: [] });
    expect(sent.map((c) => c.name)).toEqual(['trellis_fixed', undefined]);
  });
});

// Last: it fills the process's names up to the bound.
describe('statements named after their text', () => {
  const hash = (sql: string) => `h${sql.length}_${sql.slice(-4)}`;

  test('one text has one name, another text another, and past the bound new texts go unnamed', () => {
    const first = nameForText('SELECT 1 AS a0000', hash);
    expect(first).toMatch(/^trellis_t_/);
    expect(nameForText('SELECT 1 AS a0000', hash)).toBe(first);
    expect(nameForText('SELECT 1 AS a0001', hash)).not.toBe(first);
    for (let i = 2; i < MAX_TEXT_NAMES + 10; i++) nameForText(`SELECT 1 AS a${String(i).padStart(4, '0')}`, hash);
    expect(nameForText('SELECT 2 AS b', hash)).toBeNull();
    // Those named before the bound keep their names.
    expect(nameForText('SELECT 1 AS a0000', hash)).toBe(first);
  });
});
