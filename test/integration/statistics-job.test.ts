import { createJobRunner } from '../../server/jobs/handlers';
import { STATISTICS_JOB } from '../../server/db/statistics-job';
import { staleTables } from '../../server/db/statistics';
import { useTestApp } from '../support/app';
import { onPostgres } from '../support/db';

interface RawConnection {
  query(sql: string): Promise<{ rows: Record<string, string>[] }>;
}

/**
 * The mail queue stands for every table that starts empty and grows. With
 * autovacuum off for it (here by its own setting, so the test means the same
 * whether the server runs autovacuum or not), nothing but the statistics job
 * analyzes it again.
 */
describe('planner statistics where autovacuum does not keep them', () => {
  const t = useTestApp();

  const estimatedRows = async () => Number((await t.db.raw(`SELECT reltuples FROM pg_class WHERE relname = 'mail_messages'`)).rows[0].reltuples);

  test('a queue analyzed while empty is analyzed again once it has grown, and a named statement on it then uses the index', async () => {
    await t.db.raw('ALTER TABLE mail_messages SET (autovacuum_enabled = false)');
    await t.db.raw('ANALYZE');
    expect(await staleTables(t.db)).toEqual([]);

    // On PostgreSQL, a statement named while the queue was empty, on a connection of its own.
    const connection = onPostgres() ? ((await t.db.client.acquireConnection()) as RawConnection) : null;
    const plan = async () => (await connection!.query('EXPLAIN EXECUTE probe(5)')).rows.map((r) => r['QUERY PLAN']).join('\n');
    try {
      if (connection) {
        await connection.query('PREPARE probe(int) AS SELECT id, subject FROM mail_messages WHERE id = $1');
        // PostgreSQL plans the first five calls for their values, then keeps one plan for all.
        for (let n = 0; n < 6; n++) await connection.query('EXECUTE probe(5)');
      }

      await t.db.raw(
        `INSERT INTO mail_messages (kind, status, to_addresses, cc_addresses, subject, headers)
         SELECT 'test', 'sent', '["ann@example.com"]', '[]', 'Message ' || g, '{}' FROM generate_series(1, 3000) g`,
      );
      expect(await staleTables(t.db)).toEqual(['mail_messages']);
      if (connection) expect(await plan()).toContain('Seq Scan on mail_messages');

      const logged: string[] = [];
      const runner = createJobRunner({ ...t.deps, log: (line) => logged.push(line) });
      runner.start(60_000);
      for (let tries = 0; (await estimatedRows()) < 3000 && tries < 400; tries++) await new Promise((resolve) => setTimeout(resolve, 25));
      await runner.stop();

      expect(await estimatedRows()).toBe(3000);
      expect(await staleTables(t.db)).toEqual([]);
      expect(logged).toEqual([expect.stringContaining('analyzed mail_messages: their statistics were behind')]);
      if (connection) expect(await plan()).toMatch(/Index (Only )?Scan using mail_messages_pkey/);

      // One job for every process, due again in ten seconds.
      const queued = await t.db('jobs').where({ kind: STATISTICS_JOB }).whereNull('finished_at').select(t.db.raw('extract(epoch FROM run_at - now()) AS wait'));
      expect(queued).toHaveLength(1);
      expect(Number(queued[0].wait)).toBeGreaterThan(5);
    } finally {
      if (connection) {
        await connection.query('DEALLOCATE probe');
        await t.db.client.releaseConnection(connection);
      }
    }
  });
});
