import crypto from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import { buildTrackerConfig } from '../../server/tracker-config';
import { openPglite, type Database } from '../../server/db/connect';
import { migrateLatest } from '../../server/db/migrate';
import { searchTasks } from '../../server/search/engine';
import { applyEdit } from '../../server/tasks/editor';
import { stateOf } from '../../server/tasks/edit-plan';
import { addMentionEdges, findSubscriberIds, findTasksByIds, updateTask } from '../../server/tasks/repository';
import { lockTaskState } from '../../server/tasks/state-repository';
import { listEventsInGroups } from '../../server/tasks/event-repository';
import { Tracker } from '../../server/tasks/task';
import { findUsersByIds, findUsersByIdsOrNames, findUsersByPhids, findUsersByUsernames, searchUsers } from '../../server/users/repository';
import type { User } from '../../server/users/user';
import { freshDatabase, onPostgres } from '../support/db';
import { createTask, createUser } from '../support/factories';
import { recordStatements } from '../support/statements';

/**
 * Lists longer than PostgreSQL's 65,535 parameters a statement, through every
 * repository function that takes one. Each list is bound as one array, which
 * both databases must read the same way; so this runs on the run's database
 * and, when that is PostgreSQL, on an embedded one as well.
 */
const LONG = 70_000;
const ids = (n = LONG) => Array.from({ length: n }, (_, i) => i + 1);
const names = (n = LONG) => Array.from({ length: n }, (_, i) => `Name${i}`);

const targets: [string, () => Promise<Database>][] = [['the test database', freshDatabase]];
if (onPostgres()) {
  targets.push([
    'an embedded database',
    async () => {
      const database = openPglite(new PGlite());
      await migrateLatest(database.db);
      return database;
    },
  ]);
}

describe.each(targets)('lists of %s', (_name, open) => {
  let database: Database;
  let alice: User;
  let bob: User;
  let task: number;
  const tracker = new Tracker(buildTrackerConfig({}));

  beforeAll(async () => {
    database = await open();
    alice = await createUser(database.db, { username: 'Alice', role: 'maintainer' });
    bob = await createUser(database.db, { username: 'bob' });
    task = await createTask({ db: database.db, tracker }, alice, { title: 'One task' });
  }, 120_000);
  afterAll(() => database?.close());

  test('reads by 70,000 ids, names or PHIDs find what exists', async () => {
    const { db } = database;
    expect((await findTasksByIds(db, ids())).map((t) => t.id)).toEqual([task]);
    expect([...(await findUsersByIds(db, ids())).keys()].sort()).toEqual([alice.id, bob.id].sort());
    expect((await findUsersByUsernames(db, [...names(), 'ALICE'])).map((u) => u.id)).toEqual([alice.id]);
    expect((await findUsersByPhids(db, [...names(), bob.phid])).map((u) => u.id)).toEqual([bob.id]);
    expect((await findUsersByIdsOrNames(db, ids(), [...names(), 'BOB'])).map((u) => u.id).sort()).toEqual([alice.id, bob.id].sort());
    const found = await searchUsers(db, { ids: ids(), phids: [...names(), alice.phid], usernames: [...names(), 'alice'], limit: 10 });
    expect(found.map((u) => u.id)).toEqual([alice.id]);
  });

  test('a task search by 70,000 ids, people, statuses and priorities', async () => {
    const page = await searchTasks(database.db, tracker, alice, {
      filter: { ids: ids(), authors: ids(), subscribers: ids(), statuses: names().concat('open'), priorities: ids().concat(90) },
      order: 'priority',
      group: 'none',
      limit: 10,
    });
    expect(page.tasks.map((t) => t.id)).toEqual([task]);
  });

  test('a subscriber change naming 1,000 people looks them up in a few statements, not one each', async () => {
    const { db } = database;
    await db.raw(`INSERT INTO users (username, realname, role, password_hash) SELECT 'many' || g, '', 'engineer', 'x' FROM generate_series(1, 1000) AS g`);
    const many = Array.from({ length: 1000 }, (_, i) => `@Many${i + 1}`);
    const { statements } = await recordStatements(db, () => applyEdit({ db, tracker }, alice, task, [{ type: 'subscribers', value: { add: many } }]));
    expect(statements.length).toBeLessThan(40);
    expect((await findSubscriberIds(db, task)).length).toBeGreaterThanOrEqual(1000);
    await expect(applyEdit({ db, tracker }, alice, task, [{ type: 'subscribers', value: { add: [...many.slice(1), 'nobody-here'] } }])).rejects.toMatchObject({
      fields: { subscribers: 'There is no user named "nobody-here".' },
    });
  });

  test('an edit of a task with 5,000 subscribers queues a mail and a job for each', async () => {
    const { db } = database;
    const id = await createTask({ db, tracker }, alice, { title: 'Followed by thousands' });
    await db.raw(
      `INSERT INTO users (username, realname, role, password_hash, email) SELECT 'reader' || g, '', 'reader', 'x', 'reader' || g || '@example.com' FROM generate_series(1, 5000) AS g`,
    );
    await db.raw(`INSERT INTO task_subscribers (task_id, user_id) SELECT ?, id FROM users WHERE username LIKE 'reader%'`, [id]);
    const { groupId } = await applyEdit({ db, tracker }, alice, id, [{ type: 'comment', value: 'News for everyone.' }]);
    const messages = (await db('mail_messages').where({ task_id: id }).count({ n: '*' }).first()) as { n: number | string };
    expect(Number(messages.n)).toBeGreaterThanOrEqual(5000);
    const jobs = (await db('jobs').where({ kind: 'mail-send' }).count({ n: '*' }).first()) as { n: number | string };
    expect(Number(jobs.n)).toBeGreaterThanOrEqual(5000);
    const groups = [...Array.from({ length: LONG }, () => crypto.randomUUID()), groupId];
    expect((await listEventsInGroups(db, id, groups)).map((e) => e.type)).toEqual(['comment']);
  });

  test('subscriber and mention writes take their lists as arrays', async () => {
    const { db } = database;
    const other = await createTask({ db, tracker }, alice, { title: 'Another task' });
    await db.transaction(async (trx) => {
      const state = stateOf((await lockTaskState(trx, task, false))!);
      const write = { state, closedAt: null, closerId: null, dueAt: null, comment: null };
      const subscribers = { add: [bob.id, bob.id], remove: ids().filter((id) => id !== bob.id) };
      const meta = { groupId: crypto.randomUUID(), actorId: alice.id, source: 'web', at: new Date() };
      await updateTask(trx, task, write, subscribers, { meta, inserts: [{ type: 'subscribers', old: state.subscriberIds, new: [bob.id] }] });
      expect(await addMentionEdges(trx, task, [other, other])).toEqual([other]);
      expect(await addMentionEdges(trx, task, [other])).toEqual([]);
    });
    expect(await findSubscriberIds(db, task)).toEqual([bob.id]);
    expect(await db('task_edges').orderBy('type').select('src_task_id', 'type', 'dst_task_id')).toEqual([
      { src_task_id: other, type: 'mentioned-in', dst_task_id: task },
      { src_task_id: task, type: 'mentions', dst_task_id: other },
    ]);
  });
});
