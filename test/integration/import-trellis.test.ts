import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Knex } from 'knex';
import { startTestApp, testConfig, type TestApp } from '../support/app';
import { tokenFor } from '../support/conduit';
import { freshDatabase } from '../support/db';
import { createTask, createUser, edit } from '../support/factories';
import type { Database } from '../../server/db/connect';
import { runImport } from '../../server/import/run';
import { parseRoleMapping } from '../../server/import/writer';
import { findSubscriberIds, findTask } from '../../server/tasks/repository';
import { Tracker } from '../../server/tasks/task';
import { listEvents } from '../../server/tasks/event-repository';

/**
 * Trellis to Trellis: a second Trellis is filled through its editor, served on
 * a port, and imported through its own Conduit API; a task and its history
 * arrive exactly (times to the second, which is what Conduit carries).
 */

let source: TestApp;
let server: http.Server;
let target: Database;

beforeAll(async () => {
  source = await startTestApp({ apiRateLimit: 100000 });
  server = http.createServer(source.app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  target = await freshDatabase();
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await source.deps.jobs.stop();
  await source.database.close();
  await target.close();
});

/** A task as comparable across databases: people by username, times in whole seconds. */
async function snapshot(db: Knex, id: number) {
  const names = new Map(((await db('users').select('id', 'username')) as { id: number; username: string }[]).map((u) => [u.id, u.username]));
  const name = (v: unknown) => (typeof v === 'number' ? names.get(v) : v);
  const seconds = (d: Date | null) => (d ? Math.floor(d.getTime() / 1000) : null);
  const t = (await findTask(db, id))!;
  const events = await listEvents(db, id);
  const phids = new Map(((await db('task_events').where({ task_id: id }).select('id', 'phid')) as { id: number; phid: string }[]).map((r) => [r.id, r.phid]));
  return {
    task: {
      phid: t.phid,
      title: t.title,
      description: t.description,
      status: t.status,
      priority: t.priority,
      view: t.view,
      owner: name(t.ownerId),
      author: name(t.authorId),
      closer: name(t.closerId),
      created: seconds(t.createdAt),
      updated: seconds(t.updatedAt),
      closed: seconds(t.closedAt),
    },
    subscribers: (await findSubscriberIds(db, id)).map(name).sort(),
    events: events.map((e) => ({
      phid: e.type === 'mentioned' ? 'rebuilt' : phids.get(e.id),
      type: e.type,
      actor: name(e.actorId),
      at: seconds(e.createdAt),
      group: e.type === 'mentioned' ? 'rebuilt' : e.groupId,
      old: e.type === 'owner' ? name(e.old) : e.type === 'subscribers' ? (e.old as number[]).map(name).sort() : e.old,
      new: e.type === 'owner' ? name(e.new) : e.type === 'subscribers' ? (e.new as number[]).map(name).sort() : e.type === 'mentioned' ? 'a task' : e.new,
    })),
  };
}

test('a task and its history round-trip from one Trellis to another through Conduit', async () => {
  const d = source.domain;
  const alice = await createUser(source.db, { username: 'alice', role: 'admin' });
  const bob = await createUser(source.db, { username: 'bob', role: 'maintainer' });
  await createUser(source.db, { username: 'carol' });
  const id = await createTask(d, alice, { title: 'Round trip', description: 'Carries **markdown** and a list:\n\n- one\n- two', priority: 'high', owner: 'bob' });
  await edit(d, bob, id, { comment: 'On it; see the notes.' });
  await edit(d, alice, id, { subscribers: { add: ['carol'] }, title: 'Round trip, renamed' });
  await edit(d, bob, id, { status: 'resolved', priority: 'low' });
  await edit(d, alice, id, { view: 'public', description: 'Rewritten.' });
  const other = await createTask(d, bob, { title: 'Mentions the first' });
  await edit(d, bob, other, { comment: `This came up in T${id}.` });
  const token = await tokenFor(source.db, alice);

  const tracker = new Tracker(testConfig().tracker);
  const { port } = server.address() as AddressInfo;
  const report = await runImport(
    { db: target.db, tracker },
    { url: `http://127.0.0.1:${port}`, token, since: null, dryRun: false, offset: 0, roles: parseRoleMapping(undefined), markup: 'markdown' },
  );
  expect(report.get('tasks created')).toBe(2);

  const before = await snapshot(source.db, id);
  const after = await snapshot(target.db, id);
  expect(after).toEqual(before);
  expect(before.events.map((e) => e.type)).toEqual([
    'create', 'title', 'description', 'priority', 'owner', 'subscribers',
    'comment', 'subscribers', 'title', 'status', 'priority', 'view', 'description', 'mentioned',
  ]);
  expect(await snapshot(target.db, other)).toEqual(await snapshot(source.db, other));
});
