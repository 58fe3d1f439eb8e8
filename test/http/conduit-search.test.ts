import type { User } from '../../server/users/user';
import { useTestApp } from '../support/app';
import { call, callFields, result, tokenFor } from '../support/conduit';
import { createTask, createUser, edit } from '../support/factories';

type Found = { id: number; phid: string; fields: Record<string, unknown>; attachments: Record<string, unknown> };
const ids = (r: { data: Found[] }) => r.data.map((d) => d.id);

describe('maniphest.search', () => {
  const t = useTestApp();
  let maya: User; // maintainer
  let erin: User; // engineer
  let bob: User; // engineer
  let rita: User; // reader
  const tok: Record<string, string> = {};
  const task: Record<string, number> = {};
  const phid: Record<string, string> = {};

  beforeAll(async () => {
    maya = await createUser(t.db, { username: 'maya', role: 'maintainer' });
    erin = await createUser(t.db, { username: 'erin', role: 'engineer' });
    bob = await createUser(t.db, { username: 'bob', role: 'engineer' });
    rita = await createUser(t.db, { username: 'rita', role: 'reader' });
    for (const u of [maya, erin, rita]) tok[u.username] = await tokenFor(t.db, u);

    // Created in this order; ids rise with it.
    task.fire = await createTask(t.domain, erin, { title: 'Printer on fire', priority: 'unbreak', owner: 'bob', description: 'Smoke from the toner.' });
    task.docs = await createTask(t.domain, erin, { title: 'Document the backup script', priority: 'normal' });
    task.login = await createTask(t.domain, bob, { title: 'Login page slow', priority: 'high', owner: 'erin' });
    task.secret = await createTask(t.domain, maya, { title: 'Salary review', priority: 'high', view: 'maintainers' });
    task.done = await createTask(t.domain, maya, { title: 'Upgrade the database driver', priority: 'low' });
    await edit(t.domain, maya, task.done, { status: 'resolved', comment: 'Shipped.' });
    task.wish = await createTask(t.domain, bob, { title: 'Dark mode for the printer page', priority: 'wish' });
    await edit(t.domain, bob, task.wish, { subscribers: { add: ['erin'] } });
    // Fixed times make the date constraints exact: one task per day, 2024-01-01 onwards.
    const day = Date.UTC(2024, 0, 1) / 1000;
    const order = ['fire', 'docs', 'login', 'secret', 'done', 'wish'];
    for (const [i, key] of order.entries()) {
      await t.db('tasks').where({ id: task[key] }).update({ created_at: new Date((day + i * 86400) * 1000), updated_at: new Date((day + (10 - i) * 86400) * 1000) });
    }
    await t.db('tasks').where({ id: task.done }).update({ closed_at: new Date((day + 20 * 86400) * 1000) });
    for (const row of await t.db('tasks').select('id', 'phid')) {
      const key = Object.keys(task).find((k) => task[k] === row.id)!;
      phid[key] = row.phid;
    }
  });

  const search = (params: Record<string, unknown>, who = 'erin') => result(t.app, 'maniphest.search', params, tok[who]!);

  test('with no parameters: every task the token may see, by priority, in Phabricator\'s result shape', async () => {
    const r = await search({});
    expect(ids(r)).toEqual([task.fire, task.login, task.docs, task.done, task.wish]);
    expect(r.maps).toEqual({});
    expect(r.query).toEqual({ queryKey: null });
    expect(r.cursor).toEqual({ limit: 100, after: null, before: null, order: null });
    const fire = r.data[0];
    expect(fire).toEqual({
      id: task.fire,
      type: 'TASK',
      phid: phid.fire,
      fields: {
        name: 'Printer on fire',
        description: { raw: 'Smoke from the toner.' },
        authorPHID: erin.phid,
        ownerPHID: bob.phid,
        status: { value: 'open', name: 'Open', color: null },
        priority: { value: 100, name: 'Unbreak Now!', color: 'pink' },
        points: null,
        subtype: 'default',
        closerPHID: null,
        dateClosed: null,
        spacePHID: null,
        dateCreated: Date.UTC(2024, 0, 1) / 1000,
        dateModified: Date.UTC(2024, 0, 11) / 1000,
        policy: { view: 'users', interact: 'users', edit: 'users' },
        due: null,
        dueDate: null,
      },
      attachments: {},
    });
    const done = r.data.find((d: Found) => d.id === task.done);
    expect(done.fields).toMatchObject({ status: { value: 'resolved', name: 'Resolved', color: null }, closerPHID: maya.phid, ownerPHID: maya.phid, dateClosed: Date.UTC(2024, 0, 21) / 1000 });
    // A maintainer also sees the task restricted to maintainers.
    expect(ids(await search({}, 'maya'))).toEqual([task.fire, task.login, task.secret, task.docs, task.done, task.wish]);
  });

  test('built-in queries: assigned, authored, subscribed, open, all', async () => {
    expect(ids(await search({ queryKey: 'assigned' }))).toEqual([task.login]);
    // "authored" is every task of the author, closed ones too, newest first, as Phabricator's is.
    expect(ids(await search({ queryKey: 'authored' }))).toEqual([task.docs, task.fire]);
    expect(ids(await search({ queryKey: 'authored' }, 'maya'))).toEqual([task.done, task.secret]);
    // erin owns login, and being given a task subscribes you. By priority, as Phabricator's.
    expect(ids(await search({ queryKey: 'subscribed' }))).toEqual([task.fire, task.login, task.docs, task.wish]);
    expect(ids(await search({ queryKey: 'open' }))).toEqual([task.fire, task.login, task.docs, task.wish]);
    // The same definitions as the web's built-in lists: "all" is every task by priority.
    expect(ids(await search({ queryKey: 'all' }))).toEqual([task.fire, task.login, task.docs, task.done, task.wish]);
    expect((await search({ queryKey: 'open' })).query).toEqual({ queryKey: 'open' });
    // Constraints given with a built-in query override its own.
    expect(ids(await search({ queryKey: 'open', constraints: { statuses: ['resolved'] } }, 'maya'))).toEqual([task.done]);
  });

  test('each constraint', async () => {
    expect(ids(await search({ constraints: { ids: [task.docs, task.wish, task.secret] } }))).toEqual([task.docs, task.wish]);
    expect(ids(await search({ constraints: { phids: [phid.login, phid.secret, 'PHID-TASK-aaaaaaaaaaaaaaaaaaaa'] } }))).toEqual([task.login]);
    expect(ids(await search({ constraints: { assigned: [bob.phid] } }))).toEqual([task.fire]);
    expect(ids(await search({ constraints: { assigned: [null] } }))).toEqual([task.docs, task.wish]);
    expect(ids(await search({ constraints: { assigned: [erin.phid, null] } }))).toEqual([task.login, task.docs, task.wish]);
    expect(ids(await search({ constraints: { authorPHIDs: [bob.phid] } }))).toEqual([task.login, task.wish]);
    expect(ids(await search({ constraints: { statuses: ['resolved', 'wontfix'] } }))).toEqual([task.done]);
    expect(ids(await search({ constraints: { priorities: [80, 0] } }))).toEqual([task.login, task.wish]);
    expect(ids(await search({ constraints: { subscribers: [erin.phid] } }))).toEqual([task.fire, task.login, task.docs, task.wish]);
    expect(ids(await search({ constraints: { query: 'printer' } }))).toEqual([task.fire, task.wish]);
    expect(ids(await search({ constraints: { query: 'toner' } }))).toEqual([task.fire]);
    const day = (n: number) => Date.UTC(2024, 0, 1 + n) / 1000;
    expect(ids(await search({ constraints: { createdStart: day(1), createdEnd: day(2) } }))).toEqual([task.login, task.docs]);
    expect(ids(await search({ constraints: { modifiedStart: day(9) } }))).toEqual([task.fire, task.docs]);
    expect(ids(await search({ constraints: { modifiedEnd: day(5) } }))).toEqual([task.wish]);
    expect(ids(await search({ constraints: { closedStart: day(20), closedEnd: day(20) } }))).toEqual([task.done]);
    expect(ids(await search({ constraints: { closedEnd: day(19) } }))).toEqual([]);
    // A task the token may not see is never found, by id or PHID alike.
    expect(ids(await search({ constraints: { ids: [task.secret] } }))).toEqual([]);
    expect(ids(await search({ constraints: { phids: [phid.secret] } }, 'rita'))).toEqual([]);
  });

  test('orders', async () => {
    const order = async (o: string, extra: Record<string, unknown> = {}) => ids(await search({ order: o, ...extra }));
    expect(await order('priority')).toEqual([task.fire, task.login, task.docs, task.done, task.wish]);
    expect(await order('newest')).toEqual([task.wish, task.done, task.login, task.docs, task.fire]);
    expect(await order('oldest')).toEqual([task.fire, task.docs, task.login, task.done, task.wish]);
    expect(await order('updated')).toEqual([task.fire, task.docs, task.login, task.done, task.wish]);
    expect(await order('outdated')).toEqual([task.wish, task.done, task.login, task.docs, task.fire]);
    expect(await order('title')).toEqual([task.wish, task.docs, task.login, task.fire, task.done]);
    expect(await order('relevance', { constraints: { query: 'printer fire' } })).toEqual([task.fire]);
    expect((await search({ order: 'newest', limit: 1 })).cursor.order).toBe('newest');
  });

  test('the subscribers attachment', async () => {
    const r = await search({ constraints: { ids: [task.wish, task.login] }, attachments: { subscribers: true } });
    expect(r.data.map((d: Found) => [d.id, d.attachments])).toEqual([
      // erin owns login: being given it subscribed her.
      [task.login, { subscribers: { subscriberPHIDs: [erin.phid, bob.phid], subscriberCount: 2, viewerIsSubscribed: true } }],
      [task.wish, { subscribers: { subscriberPHIDs: [bob.phid, erin.phid], subscriberCount: 2, viewerIsSubscribed: true } }],
    ]);
    // PHP clients send an empty map as [].
    expect((await search({ constraints: [], attachments: [] })).data[0].attachments).toEqual({});
  });

  test('pages forward and back with cursors', async () => {
    const first = await search({ limit: 2 });
    expect(ids(first)).toEqual([task.fire, task.login]);
    expect(first.cursor).toMatchObject({ limit: 2, before: null });
    expect(typeof first.cursor.after).toBe('string');
    const second = await search({ limit: 2, after: first.cursor.after });
    expect(ids(second)).toEqual([task.docs, task.done]);
    const third = await search({ limit: 2, after: second.cursor.after });
    expect(ids(third)).toEqual([task.wish]);
    expect(third.cursor.after).toBeNull();
    const back = await search({ limit: 2, before: third.cursor.before });
    expect(ids(back)).toEqual([task.docs, task.done]);
  });

  test('plain form fields, as curl sends them, mean the same', async () => {
    const body = await callFields(t.app, 'maniphest.search', {
      'api.token': tok.erin!,
      queryKey: 'open',
      'constraints[priorities][0]': '100',
      'constraints[priorities][1]': '80',
      'attachments[subscribers]': '1',
      limit: '10',
    });
    expect(body.error_code).toBeNull();
    expect(ids(body.result)).toEqual([task.fire, task.login]);
    expect(body.result.cursor.limit).toBe(10);
    expect(body.result.data[0].attachments.subscribers).toEqual({ subscriberPHIDs: [erin.phid, bob.phid], subscriberCount: 2, viewerIsSubscribed: true });
  });

  test('refusals name what is wrong, with the codes Phabricator uses', async () => {
    const refused = (params: Record<string, unknown>) => call(t.app, 'maniphest.search', params, tok.erin!);
    expect(await refused({ limit: 500 })).toEqual({ result: null, error_code: 'ERR-INVALID-PAGE-SIZE', error_info: 'Maximum page size for Conduit API method calls is 100, but this call specified 500.' });
    expect(await refused({ limit: 0 })).toEqual({ result: null, error_code: 'ERR-INVALID-PAGE-SIZE', error_info: 'Minimum page size for Conduit API method calls is 1, but this call specified 0.' });
    expect(await refused({ limit: 'many' })).toEqual({ result: null, error_code: 'ERR-CONDUIT-CALL', error_info: 'Parameter "limit" must be an integer from 1 to 100.' });
    expect(await refused({ queryKey: 'mine' })).toEqual({
      result: null,
      error_code: 'ERR-BAD-QUERYKEY',
      error_info: 'Query key "mine" is neither a built-in query of this search (assigned, authored, subscribed, open, all, overdue, dueweek) nor one of your saved queries.',
    });
    expect(await refused({ constraints: { spaces: ['x'] } })).toEqual({
      result: null,
      error_code: 'ERR-INVALID-CONSTRAINT',
      error_info:
        'Constraint "spaces" is not a valid constraint for this query. Valid constraints are: ids, phids, assigned, authorPHIDs, statuses, priorities, subscribers, closerPHIDs, projects, query, createdStart, createdEnd, modifiedStart, modifiedEnd, closedStart, closedEnd, parentIDs, subtaskIDs, hasParents, hasSubtasks, dueAfter, dueBefore.',
    });
    expect(await refused({ constraints: 'open' })).toEqual({ result: null, error_code: 'ERR-INVALID-CONSTRAINTS-FORMAT', error_info: 'Parameter "constraints" must be a map of constraint names to values.' });
    expect(await refused({ attachments: { columns: true } })).toEqual({ result: null, error_code: 'ERR-INVALID-ATTACHMENT', error_info: 'Attachment "columns" is not available for this search. Available attachments are: subscribers, projects.' });
    expect(await refused({ attachments: 'subscribers' })).toEqual({
      result: null,
      error_code: 'ERR-INVALID-ATTACHMENTS-FORMAT',
      error_info: 'Parameter "attachments" must be a map of attachment names to true, such as {"subscribers": true}.',
    });
    expect(await refused({ order: 'random' })).toEqual({ result: null, error_code: 'ERR-CONDUIT-CALL', error_info: 'Parameter "order" must be one of: priority, updated, outdated, newest, oldest, closed, title, relevance, due.' });
    expect(await refused({ order: 'relevance' })).toEqual({ result: null, error_code: 'ERR-CONDUIT-CALL', error_info: 'Parameter "order" is "relevance", which needs a "query" constraint: the words to rank tasks by.' });
    expect(await refused({ after: 'not-a-cursor' })).toEqual({ result: null, error_code: 'ERR-CONDUIT-CALL', error_info: 'Parameter "after" must be a cursor from a previous page of this search, with the same order.' });
    const cursor = (await search({ limit: 1 })).cursor.after;
    expect(await refused({ limit: 1, order: 'title', after: cursor })).toMatchObject({ error_code: 'ERR-CONDUIT-CALL', error_info: 'Parameter "after" must be a cursor from a previous page of this search, with the same order.' });
    expect(await refused({ constraints: { statuses: ['closed'] } })).toEqual({
      result: null,
      error_code: 'ERR-CONDUIT-CALL',
      error_info: 'Constraint "statuses" names "closed", which is not a task status. Statuses are: open, resolved, wontfix, invalid, duplicate.',
    });
    expect(await refused({ constraints: { ids: ['T1'] } })).toEqual({ result: null, error_code: 'ERR-CONDUIT-CALL', error_info: 'Parameter "constraints.ids[0]" must be a task ID.' });
    expect(await refused({ constraints: { createdStart: 'yesterday' } })).toEqual({ result: null, error_code: 'ERR-CONDUIT-CALL', error_info: 'Parameter "constraints.createdStart" must be an epoch timestamp (seconds).' });
    // Numbers past what the database holds are refused, not passed on to fail there.
    expect(await refused({ constraints: { ids: [99999999999] } })).toEqual({ result: null, error_code: 'ERR-CONDUIT-CALL', error_info: 'Parameter "constraints.ids[0]" must be a task ID.' });
    expect(await refused({ constraints: { priorities: [1e12] } })).toEqual({ result: null, error_code: 'ERR-CONDUIT-CALL', error_info: 'Parameter "constraints.priorities[0]" must be a priority value.' });
    expect(await refused({ constraints: { closedEnd: 1e15 } })).toEqual({ result: null, error_code: 'ERR-CONDUIT-CALL', error_info: 'Parameter "constraints.closedEnd" must be an epoch timestamp (seconds).' });
  });
});

describe('transaction.search', () => {
  const t = useTestApp();
  let maya: User;
  let erin: User;
  let bob: User;
  let taskId: number;
  let taskPhid: string;
  const tok: Record<string, string> = {};

  beforeAll(async () => {
    maya = await createUser(t.db, { username: 'maya', role: 'maintainer' });
    erin = await createUser(t.db, { username: 'erin', role: 'engineer' });
    bob = await createUser(t.db, { username: 'bob', role: 'engineer' });
    tok.maya = await tokenFor(t.db, maya);
    tok.erin = await tokenFor(t.db, erin);
    const created = await result(t.app, 'maniphest.edit', { transactions: [{ type: 'title', value: 'Backups fail' }, { type: 'priority', value: 'normal' }] }, tok.erin);
    taskId = created.object.id;
    taskPhid = created.object.phid;
    await edit(t.domain, erin, taskId, { priority: 'high', owner: 'bob', comment: 'Bob knows the cron setup.' });
    await edit(t.domain, maya, taskId, { title: 'Nightly backups fail', subscribers: { add: ['maya'], remove: ['erin'] }, view: 'maintainers' });
    await edit(t.domain, maya, taskId, { status: 'resolved', owner: null });
  });

  test("a task's transactions, newest first, shaped as Phabricator shapes them", async () => {
    const r = await result(t.app, 'transaction.search', { objectIdentifier: `T${taskId}` }, tok.maya!);
    const rows = await t.db('task_events').where({ task_id: taskId }).orderBy('id', 'desc').select('id', 'phid', 'group_id', 'created_at');
    expect(r.data.map((x: { id: number }) => x.id)).toEqual(rows.map((x: { id: number }) => x.id));
    expect(r.cursor).toEqual({ limit: 100, after: null, before: null });
    for (const [i, x] of r.data.entries()) {
      expect(x).toMatchObject({ phid: rows[i].phid, objectPHID: taskPhid, groupID: rows[i].group_id.replace(/-/g, ''), dateCreated: Math.floor(rows[i].created_at.getTime() / 1000) });
      expect(x.dateModified).toBe(x.dateCreated);
      expect(x.groupID).toMatch(/^[0-9a-f]{32}$/);
    }
    const byType = (type: string | null) => r.data.filter((x: { type: string | null }) => x.type === type).map((x: { fields: unknown }) => x.fields);
    // Each submission's events, the latest submission first: being given the task subscribed bob, so unassigning him adds nothing.
    expect(r.data.map((x: { type: string | null; authorPHID: string }) => [x.type, x.authorPHID])).toEqual([
      ['owner', maya.phid],
      ['status', maya.phid],
      ['core:view-policy', maya.phid],
      ['subscribers', maya.phid],
      ['title', maya.phid],
      ['subscribers', erin.phid],
      ['comment', erin.phid],
      ['owner', erin.phid],
      ['priority', erin.phid],
      ['subscribers', erin.phid],
      ['priority', erin.phid],
      ['title', erin.phid],
      ['create', erin.phid],
    ]);
    expect(byType('create')).toEqual([{}]);
    expect(byType('title')).toEqual([{ old: 'Backups fail', new: 'Nightly backups fail' }, { old: null, new: 'Backups fail' }]);
    expect(byType('priority')).toEqual([
      { old: { value: 50, name: 'Normal' }, new: { value: 80, name: 'High' } },
      { old: { value: 90, name: 'Needs Triage' }, new: { value: 50, name: 'Normal' } },
    ]);
    expect(byType('owner')).toEqual([{ old: bob.phid, new: null }, { old: null, new: bob.phid }]);
    expect(byType('status')).toEqual([{ old: 'open', new: 'resolved' }]);
    expect(byType('core:view-policy')).toEqual([{ old: 'users', new: 'PHID-PLCY-trellismaintainers' }]);
    expect(byType('subscribers')).toEqual([
      { operations: [{ operation: 'add', phid: maya.phid }, { operation: 'remove', phid: erin.phid }] },
      { operations: [{ operation: 'add', phid: bob.phid }] },
      { operations: [{ operation: 'add', phid: erin.phid }] },
    ]);
    const comment = r.data.find((x: { type: string | null }) => x.type === 'comment');
    expect(comment.fields).toEqual({});
    expect(comment.comments).toEqual([
      { id: comment.id, phid: comment.phid.replace('PHID-XACT-TASK-', 'PHID-XCMT-TASK-'), version: 1, authorPHID: erin.phid, dateCreated: comment.dateCreated, dateModified: comment.dateCreated, removed: false, content: { raw: 'Bob knows the cron setup.' } },
    ]);
    expect(r.data.filter((x: { type: string }) => x.type !== 'comment').every((x: { comments: unknown[] }) => x.comments.length === 0)).toBe(true);
  });

  test('pages, constraints, and every way of naming the task', async () => {
    const all = await result(t.app, 'transaction.search', { objectIdentifier: taskPhid }, tok.maya!);
    const first = await result(t.app, 'transaction.search', { objectIdentifier: taskPhid, limit: 5 }, tok.maya!);
    expect(first.data.map((x: { id: number }) => x.id)).toEqual(all.data.slice(0, 5).map((x: { id: number }) => x.id));
    expect(first.cursor).toEqual({ limit: 5, after: String(all.data[4].id), before: null });
    const second = await result(t.app, 'transaction.search', { objectIdentifier: taskId, limit: 5, after: first.cursor.after }, tok.maya!);
    expect(second.data.map((x: { id: number }) => x.id)).toEqual(all.data.slice(5, 10).map((x: { id: number }) => x.id));
    expect(second.cursor.before).toBe(String(all.data[5].id));
    const back = await result(t.app, 'transaction.search', { objectIdentifier: String(taskId), limit: 5, before: second.cursor.before }, tok.maya!);
    expect(back.data.map((x: { id: number }) => x.id)).toEqual(first.data.map((x: { id: number }) => x.id));

    const byAuthor = await result(t.app, 'transaction.search', { objectIdentifier: taskPhid, constraints: { authorPHIDs: [erin.phid] } }, tok.maya!);
    expect(byAuthor.data.every((x: { authorPHID: string }) => x.authorPHID === erin.phid)).toBe(true);
    expect(byAuthor.data.length).toBe(all.data.filter((x: { authorPHID: string }) => x.authorPHID === erin.phid).length);
    const two = [all.data[0].phid, all.data[3].phid];
    expect((await result(t.app, 'transaction.search', { objectIdentifier: taskPhid, constraints: { phids: two } }, tok.maya!)).data.map((x: { phid: string }) => x.phid)).toEqual(two);
  });

  test('refusals; a task the token may not see does not exist', async () => {
    const missing = `T${taskId + 100}`;
    expect(await call(t.app, 'transaction.search', { objectIdentifier: `T${taskId}` }, tok.erin!)).toEqual({
      result: null,
      error_code: 'ERR-CONDUIT-CORE',
      error_info: `In call to "transaction.search", specified "objectIdentifier" ("T${taskId}") does not exist.`,
    });
    expect(await call(t.app, 'transaction.search', { objectIdentifier: missing }, tok.maya!)).toEqual({
      result: null,
      error_code: 'ERR-CONDUIT-CORE',
      error_info: `In call to "transaction.search", specified "objectIdentifier" ("${missing}") does not exist.`,
    });
    expect(await call(t.app, 'transaction.search', {}, tok.maya!)).toEqual({
      result: null,
      error_code: 'ERR-CONDUIT-CALL',
      error_info: 'Calls to "transaction.search" must specify an "objectIdentifier": the task\'s PHID, monogram or ID.',
    });
    expect(await call(t.app, 'transaction.search', { objectIdentifier: taskPhid, constraints: { authorPHIDs: [] } }, tok.maya!)).toEqual({
      result: null,
      error_code: 'ERR-CONDUIT-CALL',
      error_info: 'Constraint "authorPHIDs" to "transaction.search" requires a nonempty list, empty list provided.',
    });
    expect(await call(t.app, 'transaction.search', { objectIdentifier: taskPhid, limit: 101 }, tok.maya!)).toMatchObject({ error_code: 'ERR-INVALID-PAGE-SIZE' });
    expect(await call(t.app, 'transaction.search', { objectIdentifier: taskPhid, before: 9999999999 }, tok.maya!)).toMatchObject({
      error_code: 'ERR-CONDUIT-CALL',
      error_info: 'Parameter "before" must be a cursor from a previous page of this search.',
    });
    expect(await call(t.app, 'transaction.search', { objectIdentifier: taskPhid, after: 'x' }, tok.maya!)).toEqual({
      result: null,
      error_code: 'ERR-CONDUIT-CALL',
      error_info: 'Parameter "after" must be a cursor from a previous page of this search.',
    });
  });
});
