import type { Database } from '../../server/db/connect';
import { MAX_LOG_FIELD, abridge, errorText, logLine } from '../../server/log';
import { freshDatabase } from '../support/db';

describe('log lines stay short', () => {
  let database: Database;
  beforeAll(async () => {
    database = await freshDatabase();
  });
  afterAll(() => database.close());

  test('a failed statement with 550 KB of SQL logs its start, its end and what failed, in a few kilobytes', async () => {
    const columns = Array.from({ length: 56_000 }, (_, i) => `'v${i}'`).join(', ');
    const err = await database.db.raw(`SELECT ${columns}, no_such_column`).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message.length).toBeGreaterThan(500_000);
    const line = logLine({ id: 'r1', level: 'error', error: errorText(err) });
    expect(line.length).toBeLessThan(2 * MAX_LOG_FIELD);
    const logged = JSON.parse(line) as { error: string };
    expect(logged.error).toContain(`SELECT 'v0', 'v1'`);
    expect(logged.error).toContain('column "no_such_column" does not exist');
    expect(logged.error).toMatch(/characters left out/);
    expect(logged.error).toMatch(/\n {4}at /);
  });

  test('every text field is abridged; short ones and other values are kept as they are', () => {
    const long = `${'a'.repeat(10_000)}END`;
    const logged = JSON.parse(logLine({ msg: long, short: 'ok', n: 5, nested: { x: 1 } })) as Record<string, unknown>;
    expect(logged).toMatchObject({ short: 'ok', n: 5, nested: { x: 1 } });
    expect(logged.msg).toBe(abridge(long, MAX_LOG_FIELD));
    expect((logged.msg as string).endsWith('aaEND')).toBe(true);
    expect((logged.msg as string).length).toBeLessThan(MAX_LOG_FIELD + 60);
    expect(abridge('short', 10)).toBe('short');
    expect(errorText('a plain string')).toBe('a plain string');
  });
});
