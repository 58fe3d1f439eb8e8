import { listen, type Listening } from '../../server/db/listen';
import { ValidationError } from '../../server/errors';
import { applyEdit } from '../../server/tasks/editor';
import type { User } from '../../server/users/user';
import { useTestApp } from '../support/app';
import { createTask, createUser, edit } from '../support/factories';

const settle = () => new Promise((resolve) => setTimeout(resolve, 150));

/**
 * An edit tells listening processes of itself only once it is committed, in a statement after the
 * COMMIT: a NOTIFY inside the transaction would make PostgreSQL commit one notifying transaction at
 * a time, each waiting for the one before to reach the disk.
 */
describe('the notice of an edit to live pages', () => {
  const t = useTestApp();
  let alice: User;
  let heard: { task: number; group: string }[] = [];
  let listening: Listening;
  const problems: unknown[] = [];

  beforeAll(async () => {
    alice = await createUser(t.db, { username: 'alice', role: 'maintainer' });
  });
  // Listening only while each test runs: its connection must be gone before the test's database is.
  beforeEach(async () => {
    heard = [];
    listening = await listen(t.db, (payload) => heard.push(JSON.parse(payload)), (err) => problems.push(err));
  });
  afterEach(async () => {
    await listening.close();
    expect(problems).toEqual([]);
  });

  test('is sent after the COMMIT of the edit, naming the task and the group of events', async () => {
    const task = await createTask({ db: t.db, tracker: t.tracker }, alice, { title: 'Watched' });
    await settle();
    heard = [];
    const statements: string[] = [];
    const answered: string[] = [];
    const record = (q: { sql: string }) => statements.push(q.sql);
    const done = (_rows: unknown, q: { sql: string }) => answered.push(q.sql);
    t.db.on('query', record);
    t.db.on('query-response', done);
    let group: string;
    try {
      ({ groupId: group } = await edit({ db: t.db, tracker: t.tracker }, alice, task, { comment: 'Seen it.' }));
      // An edit that has returned has been told of: its notice was answered before it returned.
      expect(answered.some((sql) => sql.includes('pg_notify'))).toBe(true);
      await settle();
    } finally {
      t.db.off('query', record);
      t.db.off('query-response', done);
    }
    expect(heard).toEqual([{ task, group }]);
    const commit = statements.findIndex((s) => /^commit/i.test(s));
    const notice = statements.findIndex((s) => s.includes('pg_notify'));
    expect(commit).toBeGreaterThanOrEqual(0);
    expect(notice).toBeGreaterThan(commit);
  });

  test('an edit inside a larger transaction is told of when that one commits, and not if it rolls back', async () => {
    const task = await createTask({ db: t.db, tracker: t.tracker }, alice, { title: 'Part of something larger' });
    await settle();
    heard = [];
    await t.db.transaction(async (trx) => {
      await applyEdit({ db: trx, tracker: t.tracker }, alice, task, [{ type: 'comment', value: 'First of two.' }]);
      await settle();
      expect(heard).toEqual([]);
    });
    await settle();
    expect(heard.map((h) => h.task)).toEqual([task]);

    heard = [];
    await expect(
      t.db.transaction(async (trx) => {
        await applyEdit({ db: trx, tracker: t.tracker }, alice, task, [{ type: 'comment', value: 'Never to be seen.' }]);
        throw new ValidationError({ form: 'Changed my mind.' });
      }),
    ).rejects.toThrow(ValidationError);
    await settle();
    expect(heard).toEqual([]);
  });

  test('an edit that mentions another task tells of both in one statement', async () => {
    const other = await createTask({ db: t.db, tracker: t.tracker }, alice, { title: 'Mentioned' });
    const task = await createTask({ db: t.db, tracker: t.tracker }, alice, { title: 'Mentioning' });
    await settle();
    heard = [];
    const notices: string[] = [];
    const record = (q: { sql: string }) => q.sql.includes('pg_notify') && notices.push(q.sql);
    t.db.on('query', record);
    try {
      await edit({ db: t.db, tracker: t.tracker }, alice, task, { comment: `See T${other}.` });
      await settle();
    } finally {
      t.db.off('query', record);
    }
    expect(heard.map((h) => h.task).sort((a, b) => a - b)).toEqual([other, task].sort((a, b) => a - b));
    expect(notices).toHaveLength(1);
  });
});
