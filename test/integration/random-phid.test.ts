import type { Database } from '../../server/db/connect';
import { freshDatabase } from '../support/db';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';

describe('trellis_random_phid, the default of every PHID column', () => {
  let database: Database;

  beforeAll(async () => {
    database = await freshDatabase();
  });
  afterAll(async () => {
    await database.close();
  });

  test('gives the prefix and the length asked for, in a-z2-7, each character about as often as any other', async () => {
    const rows = (await database.db.raw(`SELECT trellis_random_phid('PHID-TASK-', 20) AS phid FROM generate_series(1, 2000)`)).rows as { phid: string }[];
    const phids = rows.map((r) => r.phid);
    for (const p of phids) expect(p).toMatch(/^PHID-TASK-[a-z2-7]{20}$/);
    expect(new Set(phids).size).toBe(phids.length);
    const counts = new Map<string, number>();
    for (const p of phids) for (const ch of p.slice('PHID-TASK-'.length)) counts.set(ch, (counts.get(ch) ?? 0) + 1);
    // 40,000 characters: 1,250 of each expected; a character missing or twice as common fails.
    expect([...counts.keys()].sort().join('')).toBe([...ALPHABET].sort().join(''));
    for (const n of counts.values()) expect(Math.abs(n - 1250)).toBeLessThan(250);
  });

  test('gives the shorter PHIDs of events, and at most 42 characters', async () => {
    const row = (await database.db.raw(`SELECT trellis_random_phid('PHID-XACT-TASK-', 15) AS short, trellis_random_phid('', 60) AS long`)).rows[0] as { short: string; long: string };
    expect(row.short).toMatch(/^PHID-XACT-TASK-[a-z2-7]{15}$/);
    expect(row.long).toMatch(/^[a-z2-7]{42}$/);
  });

  test('is inlined into the statements that insert rows, so none sets a function up to take a PHID', async () => {
    const plan = (await database.db.raw(
      `EXPLAIN (VERBOSE, COSTS OFF) INSERT INTO task_events (task_id, group_id, actor_id, type, source, created_at) VALUES (1, gen_random_uuid(), 1, 'comment', 'web', now())`,
    )).rows as { 'QUERY PLAN': string }[];
    const text = plan.map((r) => r['QUERY PLAN']).join('\n');
    expect(text).toContain('PHID-XACT-TASK-');
    expect(text).not.toContain('trellis_random_phid');
  });
});
