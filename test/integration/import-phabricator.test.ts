import fs from 'node:fs';
import path from 'node:path';
import { testConfig } from '../support/app';
import { freshDatabase } from '../support/db';
import { createUser, createTask } from '../support/factories';
import { Fault, page, startFakeConduit, type FakeConduit, type Handler } from '../support/fake-conduit';
import type { Database } from '../../server/db/connect';
import { runImport, type ImportOptions } from '../../server/import/run';
import { parseRoleMapping } from '../../server/import/writer';
import { findTask, findSubscriberIds, findEdges } from '../../server/tasks/repository';
import { Tracker } from '../../server/tasks/task';
import { listEvents } from '../../server/tasks/event-repository';

/**
 * The importer against recorded Conduit answers in Phabricator's shapes
 * (test/fixtures/phabricator/install.json): people deleted and disabled,
 * unknown transaction types, a custom policy, a task id of 0 and a negative
 * one, an over-long title, a history that is not JSON, pages of two.
 */

type Install = {
  users: { phid: string; id: number }[];
  projects: { id: number }[];
  tasks: { id: number; phid: string; fields: Record<string, unknown> }[];
  transactions: Record<string, { id: number }[]>;
  columns: { id: number }[];
  statuses: unknown[];
};

const load = (): Install => JSON.parse(fs.readFileSync(path.join(__dirname, '../fixtures/phabricator/install.json'), 'utf8'));

/** Serves an install as Phabricator does, two results a page; `faults` break chosen calls. */
function handlers(install: Install, faults: Partial<Record<string, Handler>> = {}): Record<string, Handler> {
  const two = (p: Record<string, unknown>) => ({ ...p, limit: Math.min(Number(p.limit ?? 100), 2) });
  return {
    'maniphest.status.search': () => ({ data: install.statuses }),
    'user.search': (p) => page(install.users, two(p)),
    'project.search': (p) => page(install.projects, two(p)),
    'project.column.search': (p) => page(install.columns, two(p)),
    'maniphest.search': (p) => page(install.tasks, two(p), p.order === 'newest' ? 'newest' : 'oldest'),
    'transaction.search': (p) => {
      const id = String(p.objectIdentifier);
      if (id === 'PHID-TASK-twentytwentytwentytw') return new Fault(200, '{"result": {"data": [');
      return page(install.transactions[id] ?? [], two(p), 'newest');
    },
    ...faults,
  } as Record<string, Handler>;
}

const tracker = new Tracker(testConfig().tracker);
let database: Database;
let server: FakeConduit;

const options = (over: Partial<ImportOptions> = {}): ImportOptions => ({
  url: server.url,
  token: 'api-aaaaaaaaaaaaaaaaaaaaaaaaaaaa',
  since: null,
  dryRun: false,
  offset: 0,
  roles: parseRoleMapping(undefined),
  markup: 'remarkup',
  backoffMs: 5,
  ...over,
});

beforeEach(async () => {
  database = await freshDatabase();
});
afterEach(async () => {
  await server?.close();
  await database.close();
});

const db = () => database.db;
const usernameOf = async (id: number | null) => (id === null ? null : ((await db()('users').where({ id }).first('username')) as { username: string }).username);

test('imports people, tasks with their numbers, history and links; reports what it skipped', async () => {
  server = await startFakeConduit(handlers(load()));
  const report = await runImport({ db: db(), tracker }, options());

  const users = await db()('users').orderBy('username').select('username', 'role', 'password_hash', 'disabled_at');
  expect(users.map((u) => [u.username, u.role, u.disabled_at !== null])).toEqual([
    ['alice', 'admin', false],
    ['bob', 'engineer', false],
    ['carol', 'engineer', true],
    ['unknown-user', 'reader', true],
  ]);
  expect(users.every((u) => u.password_hash === '')).toBe(true);

  expect((await db()('tasks').orderBy('id').select('id')).map((r) => r.id)).toEqual([5, 12, 40]);
  const t5 = (await findTask(db(), 5))!;
  expect(t5).toMatchObject({ phid: 'PHID-TASK-fivefivefivefivefive', title: 'Fix the login page', status: 'open', priority: 80, view: 'users', markup: 'remarkup' });
  expect(await usernameOf(t5.ownerId)).toBe('bob');
  expect(await usernameOf(t5.authorId)).toBe('alice');
  expect(t5.createdAt.toISOString()).toBe(new Date(1500000000 * 1000).toISOString());
  expect(t5.updatedAt.toISOString()).toBe(new Date(1500000900 * 1000).toISOString());
  expect(await Promise.all((await findSubscriberIds(db(), 5)).map(usernameOf))).toEqual(['alice', 'bob']);
  expect((await db()('task_projects').where({ task_id: 5 }).join('projects', 'projects.id', 'task_projects.project_id').select('name')).map((r) => r.name)).toEqual(['Backend']);

  const events = await listEvents(db(), 5);
  const lines = await Promise.all(events.map(async (e) => [e.type, await usernameOf(e.actorId), e.createdAt.getTime() / 1000, e.type === 'comment' ? e.new : undefined]));
  expect(lines).toEqual([
    ['create', 'alice', 1500000000, undefined],
    ['title', 'alice', 1500000000, undefined],
    ['description', 'alice', 1500000000, undefined],
    ['priority', 'alice', 1500000000, undefined],
    ['owner', 'alice', 1500000000, undefined],
    ['subscribers', 'alice', 1500000000, undefined],
    ['comment', 'bob', 1500000500, "I'll look at T12 with @alice."],
    ['subscribers', 'bob', 1500000500, undefined],
    // Back-links, rebuilt from the other tasks' text: T12's comment, then T40's.
    ['mentioned', 'bob', 1500090000, undefined],
    ['mentioned', 'alice', 1500250000, undefined],
  ]);
  expect(events.find((e) => e.type === 'priority')).toMatchObject({ old: 90, new: 80 });
  expect(events.find((e) => e.type === 'comment')).toMatchObject({ markup: 'remarkup' });
  // Transaction PHIDs are kept, so scripts that stored them still find the events.
  expect(await db()('task_events').where({ task_id: 5, type: 'comment' }).first('phid')).toEqual({ phid: 'PHID-XACT-TASK-xbz7aaaaaaaaaaa' });
  expect(new Set(events.slice(0, 6).map((e) => e.groupId))).toEqual(new Set(['aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa']));

  // T12: closed by alice, a custom policy mapped to Maintainers; its comment's mention of T40 (imported later) landed.
  const t12 = (await findTask(db(), 12))!;
  expect(t12).toMatchObject({ status: 'resolved', view: 'maintainers' });
  expect(await usernameOf(t12.closerId)).toBe('alice');
  expect((await listEvents(db(), 12)).filter((e) => e.type === 'mentioned').map((e) => e.new)).toEqual([5]);
  expect((await findEdges(db(), 40)).filter((e) => e.type === 'mentioned-in').map((e) => e.dstId)).toEqual([12]);
  // T40: its author's account is gone; a status and a priority the configuration lacks are kept and reported.
  const t40 = (await findTask(db(), 40))!;
  expect(t40).toMatchObject({ status: 'needsinfo', priority: 42, view: 'public' });
  expect(await usernameOf(t40.authorId)).toBe('unknown-user');
  expect(await db()('task_subtasks').select('parent_id', 'child_id')).toEqual([{ parent_id: 40, child_id: 5 }]);
  // T12 was merged into T40, which arrived after it: the link waited for it.
  expect((await findEdges(db(), 12)).filter((e) => e.type === 'merged-into').map((e) => e.dstId)).toEqual([40]);
  expect((await findEdges(db(), 40)).filter((e) => e.type === 'merged-from').map((e) => e.dstId)).toEqual([12]);
  expect(Number((await db()('import_pending_links').count('* as n').first())!.n)).toBe(0);

  const text = report.lines(false).join('\n');
  expect(text).toMatch(/tasks created: 3/);
  expect(text).toMatch(/task id 0 is not a positive number: 1/);
  expect(text).toMatch(/task id -3 is not a positive number: 1/);
  expect(text).toMatch(/the title is longer than Trellis's limit of 255 characters: 1 \(T13\)/);
  expect(text).toMatch(/history not readable \(transaction.search: ERR-MALFORMED-JSON.*\(T20\)/);
  expect(text).toMatch(/transaction by a user not among the users: 2/);
  expect(text).toMatch(/transactions kept as card placements: core:columns: 2/);
  expect(text).toMatch(/transaction type "null" has no Trellis meaning: 1/);
  expect(text).toMatch(/removed comment: 1/);
  expect(text).toMatch(/view policy "PHID-PLCY-customcustomcustomcust" has no Trellis level: mapped to Maintainers/);
  expect(text).toMatch(/user whose name Trellis can not take: 1 \(bad name!\)/);
  expect(text).toMatch(/milestone .*Sprint 1/);
  expect(text).toMatch(/status "needsinfo" \(Needs Info\): 1 tasks/);
  expect(text).toMatch(/priority 42 \(Meh\)/);
  // Nothing half-written: the skipped tasks have no row, no event, no record.
  expect(Number((await db()('task_events').whereNotIn('task_id', [5, 12, 40]).count('* as n').first())!.n)).toBe(0);
  expect((await db()('import_sources').where({ kind: 'task' }).orderBy('local_id').select('local_id')).map((r) => r.local_id)).toEqual([5, 12, 40]);

  // New tasks are numbered past the highest imported one.
  const alice = (await db()('users').where({ username: 'alice' }).first())!;
  const id = await createTask({ db: db(), tracker }, { ...alice, disabledAt: null, realname: '', createdAt: new Date(), updatedAt: new Date(), email: null });
  expect(id).toBe(41);
});

test("imports projects' members and watchers, workboard columns, and each card in its last column", async () => {
  server = await startFakeConduit(handlers(load()));
  const report = await runImport({ db: db(), tracker }, options());
  const backend = (await db()('projects').where({ name: 'Backend' }).first('id')) as { id: number };
  const people = async (table: string) =>
    (await db()(table).where({ project_id: backend.id }).join('users', 'users.id', `${table}.user_id`).orderBy('username').select('username')).map((r) => r.username);
  expect(await people('project_members')).toEqual(['alice', 'bob']);
  expect(await people('project_watchers')).toEqual(['carol']);

  // Source order by sequence; the proxy column of the milestone is left out; the hidden one stays hidden.
  const columns = await db()('board_columns').where({ project_id: backend.id }).orderBy('sequence').select('id', 'name', 'hidden', 'is_default', 'proxy_project_id');
  expect(columns.map((c) => [c.name, c.hidden, c.is_default])).toEqual([
    ['Backlog', false, true],
    ['Doing', false, false],
    ['Iced', true, false],
  ]);
  expect(Number((await db()('import_sources').where({ kind: 'column' }).count('* as n').first())!.n)).toBe(3);

  // T5 was last moved to Doing; T40 to the milestone's proxy column, not imported, so it sits in the default column.
  const cards = await db()('board_cards').where({ project_id: backend.id }).orderBy('task_id').select('task_id', 'column_id');
  const named = (id: number) => columns.find((c) => c.id === id)!.name;
  expect(cards.map((c) => [c.task_id, named(c.column_id)])).toEqual([
    [5, 'Doing'],
    [40, 'Backlog'],
  ]);

  const text = report.lines(false).join('\n');
  expect(text).toMatch(/member not imported \(not a person imported here\): 1 \(PHID-USER-ghostghostghostghost on Backend\)/);
  expect(text).toMatch(/proxy column .* not imported: 1 \(Sprint 1\)/);
  expect(text).toMatch(/column of a board not imported: 1 \(Backlog\)/);
  expect(text).toMatch(/card placed in the default column: its column was not imported: 1 \(T40 on PHID-PROJ-backendbackendbacken\)/);
});

test('a second run duplicates nothing; a task changed at the source is rewritten; --since reads only what changed', async () => {
  const install = load();
  server = await startFakeConduit(handlers(install));
  await runImport({ db: db(), tracker }, options());
  const count = async (table: string) => Number((await db()(table).count('* as n').first())!.n);
  const counts = async () => ({
    tasks: await count('tasks'),
    events: await count('task_events'),
    users: await count('users'),
    projects: await count('projects'),
    edges: await count('task_edges'),
    members: await count('project_members'),
    watchers: await count('project_watchers'),
    columns: await count('board_columns'),
    cards: await count('board_cards'),
  });
  const before = await counts();

  const again = await runImport({ db: db(), tracker }, options());
  expect(again.get('tasks unchanged')).toBe(3);
  expect(again.get('columns already imported')).toBe(3);
  expect(await counts()).toEqual(before);
  expect(server.calls.get('transaction.search')).toBe(
    // First run: T5 (12 transactions, 6 pages of two), T12 (3 pages), T13, T20, T40 (3 pages); the second
    // reads again only the two histories of tasks skipped the first time.
    6 + 3 + 1 + 1 + 3 + 2,
  );

  const t5 = install.tasks.find((t) => t.id === 5)!;
  t5.fields.name = 'Fix the login page on Firefox';
  t5.fields.dateModified = 1600000000;
  const changed = await runImport({ db: db(), tracker }, options({ since: 1599999999 }));
  expect(changed.get('tasks updated')).toBe(1);
  expect((await findTask(db(), 5))!.title).toBe('Fix the login page on Firefox');
  // Its own history is rewritten, the back-links other tasks wrote on it stay.
  expect(await count('task_events')).toBe(before.events);
  // Its card stays where its last board move put it, and no card is added.
  expect(await count('board_cards')).toBe(before.cards);
  expect((await db()('board_cards').where({ task_id: 5 }).join('board_columns', 'board_columns.id', 'board_cards.column_id').first('name')).name).toBe('Doing');
});

test('--dry-run reads everything and writes nothing', async () => {
  server = await startFakeConduit(handlers(load()));
  const report = await runImport({ db: db(), tracker }, options({ dryRun: true }));
  expect(report.get('tasks read')).toBe(3);
  expect(report.get('users created')).toBe(2);
  expect(report.get('columns created')).toBe(2);
  for (const table of ['tasks', 'users', 'projects', 'import_sources', 'board_columns', 'project_members']) expect(Number((await db()(table).count('* as n').first())!.n)).toBe(0);
  expect(report.lines(true)[0]).toMatch(/dry run: nothing was written/);
});

test('a task filed here while an import runs takes a number after every number the import needs', async () => {
  const someone = await createUser(db());
  let filed: Promise<number> | null = null;
  const base = handlers(load());
  server = await startFakeConduit({
    ...base,
    'transaction.search': (p) => {
      if (String(p.objectIdentifier) === 'PHID-TASK-fivefivefivefivefive') filed ??= createTask({ db: db(), tracker }, someone);
      return base['transaction.search']!(p);
    },
  });
  await runImport({ db: db(), tracker }, options());
  expect(await filed).toBe(41);
  expect(await createTask({ db: db(), tracker }, someone)).toBe(42);
});

test('numbers that clash with tasks already here are refused unless moved with --offset', async () => {
  server = await startFakeConduit(handlers(load()));
  const someone = await createUser(db());
  for (let i = 0; i < 6; i++) await createTask({ db: db(), tracker }, someone);
  await expect(runImport({ db: db(), tracker }, options())).rejects.toThrow(/6 tasks here have numbers the import needs .*--offset/);
  expect(Number((await db()('import_sources').where({ kind: 'task' }).count('* as n').first())!.n)).toBe(0);

  await runImport({ db: db(), tracker }, options({ offset: 100 }));
  expect((await db()('tasks').where('id', '>', 100).orderBy('id').select('id')).map((r) => r.id)).toEqual([105, 112, 140]);
  expect(await db()('task_subtasks').select('parent_id', 'child_id')).toEqual([{ parent_id: 140, child_id: 105 }]);
  // References in the text follow their tasks; a number in code is no reference and stays.
  const described = await db()('tasks').where('description', 'like', '%first.%').first();
  expect(described.description).toContain('See {T112} first.');
  expect(described.description).toContain('login(T99)');
  const comments = (await db()('task_events').where({ type: 'comment' }).select('new_value')).map((r) => String(r.new_value));
  expect(comments).toContain("I'll look at T112 with @alice.");
  expect(comments.some((c) => /\bT12\b/.test(c))).toBe(false);
});

test('failing servers are retried with backoff, rate limits waited out, requests in flight bounded; a page that repeats ends the walk', async () => {
  const install = load();
  let busy = 0;
  let limited = 0;
  const base = handlers(install);
  server = await startFakeConduit(
    {
      ...base,
      'user.search': (p) => (busy++ < 2 ? new Fault(503, 'busy') : base['user.search']!(p)),
      'project.search': (p) => (limited++ < 1 ? { error_code: 'ERR-RATE-LIMIT', error_info: 'slow down' } : base['project.search']!(p)),
      // A server whose cursor never moves: the same two tasks, for ever.
      'maniphest.search': (p) => (p.order === 'newest' ? base['maniphest.search']!(p) : { ...page(install.tasks, { limit: 2 }), cursor: { after: '0', before: null } }),
    },
    20,
  );
  const report = await runImport({ db: db(), tracker }, options({ concurrency: 2 }));
  const text = report.lines(false).join('\n');
  expect(text).toMatch(/request retried \(HTTP 503\): 2/);
  expect(text).toMatch(/request retried \(ERR-RATE-LIMIT\): 1/);
  expect(text).toMatch(/maniphest.search repeated the page after cursor 0/);
  expect(server.peakInFlight).toBeLessThanOrEqual(2);
  expect(await db()('users').where({ username: 'alice' }).first()).toBeTruthy();
});
