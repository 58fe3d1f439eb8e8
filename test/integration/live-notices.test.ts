import { notifyAfterCommit } from '../../server/db/after-commit';
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
const notifies = (sql: string) => sql.includes('pg_notify');
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

  /** A new task, once its own notice has been heard and put aside. */
  async function quietTask(title: string): Promise<number> {
    const task = await createTask({ db: t.db, tracker: t.tracker }, alice, { title });
    await settle();
    heard = [];
    return task;
  }

  test('is sent after the COMMIT of the edit, naming the task and the group of events', async () => {
    const task = await quietTask('Watched');
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
      expect(answered.some(notifies)).toBe(true);
      await settle();
    } finally {
      t.db.off('query', record);
      t.db.off('query-response', done);
    }
    expect(heard).toEqual([{ task, group }]);
    expect(statements.filter(notifies)).toHaveLength(1);
    const commit = statements.findIndex((s) => /^commit/i.test(s));
    expect(commit).toBeGreaterThanOrEqual(0);
    expect(statements.findIndex(notifies)).toBeGreaterThan(commit);
  });

  test('a COMMIT that fails sends nothing, and the transaction fails', async () => {
    await expect(
      t.db.transaction(async (trx) => {
        // A constraint checked only at COMMIT: the transaction runs to its end, and the COMMIT is refused.
        await trx.raw('CREATE TEMP TABLE doomed (n integer UNIQUE DEFERRABLE INITIALLY DEFERRED) ON COMMIT DROP');
        await trx.raw('INSERT INTO doomed VALUES (1), (1)');
        notifyAfterCommit(trx, JSON.stringify({ task: 1, group: 'never' }));
      }),
    ).rejects.toThrow(/duplicate key/);
    await settle();
    expect(heard).toEqual([]);
  });

  test('a notice that can not go out leaves the committed edit committed, and is logged as a warning', async () => {
    const task = await quietTask('Too much to tell');
    const lines: string[] = [];
    const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    try {
      await t.db.transaction(async (trx) => {
        await trx('tasks').where({ id: task }).update({ title: 'Committed all the same' });
        // PostgreSQL refuses a payload of 8,000 bytes or more.
        notifyAfterCommit(trx, 'x'.repeat(9000));
      });
      await settle();
    } finally {
      write.mockRestore();
    }
    expect((await t.db('tasks').where({ id: task }).first()).title).toBe('Committed all the same');
    expect(heard).toEqual([]);
    const warnings = lines.map((l) => JSON.parse(l) as { level: string; msg: string; error: string });
    expect(warnings).toEqual([expect.objectContaining({ level: 'warn', msg: 'could not notify on trellis_live after a commit', error: expect.stringMatching(/payload string too long/) })]);
  });

  test('an edit inside a larger transaction is told of when that one commits, and not if it rolls back', async () => {
    const task = await quietTask('Part of something larger');
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
    const task = await quietTask('Mentioning');
    const notices: string[] = [];
    const record = (q: { sql: string }) => notifies(q.sql) && notices.push(q.sql);
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
