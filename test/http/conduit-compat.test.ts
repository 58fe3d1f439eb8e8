import request from 'supertest';
import { saveQuery } from '../../server/search/saved/queries';
import type { User } from '../../server/users/user';
import { useTestApp } from '../support/app';
import { call, result, tokenFor } from '../support/conduit';
import { createTask, createUser, edit } from '../support/factories';
import { Browser, loggedIn } from '../support/http';

type Found = { id: number; fields: Record<string, unknown> };
const ids = (r: { data: Found[] }) => r.data.map((d) => d.id);

/** What scripts written against Phabricator send, and expect back. */
describe('Conduit as Phabricator scripts use it', () => {
  const t = useTestApp();
  let maya: User; // maintainer
  let erin: User; // engineer
  const tok: Record<string, string> = {};
  const task: Record<string, number> = {};

  beforeAll(async () => {
    maya = await createUser(t.db, { username: 'maya', role: 'maintainer' });
    erin = await createUser(t.db, { username: 'erin', role: 'engineer' });
    for (const u of [maya, erin]) tok[u.username] = await tokenFor(t.db, u);
    // Ids rise in this order; priorities differ, so priority order is not id order.
    task.a = await createTask(t.domain, erin, { title: 'Alpha', priority: 'normal' });
    task.b = await createTask(t.domain, erin, { title: 'Bravo', priority: 'high' });
    task.secret = await createTask(t.domain, maya, { title: 'Secret', priority: 'high', view: 'maintainers' });
    task.c = await createTask(t.domain, erin, { title: 'Charlie', priority: 'low' });
    task.d = await createTask(t.domain, maya, { title: 'Delta', priority: 'normal', view: 'public' });
    task.e = await createTask(t.domain, erin, { title: 'Echo', priority: 'wish' });
  });

  const search = (params: Record<string, unknown>, who = 'erin') => result(t.app, 'maniphest.search', params, tok[who]!);

  describe('maniphest.search pages by task ids, as Phabricator cursors are', () => {
    test('after=<id> continues after that task, in any order', async () => {
      const newest = await search({ order: 'newest', limit: 2 });
      expect(ids(newest)).toEqual([task.e, task.d]);
      // What a script does: take the last id, ask for what follows.
      expect(ids(await search({ order: 'newest', limit: 2, after: String(task.d) }))).toEqual([task.c, task.b]);
      expect(ids(await search({ order: 'newest', limit: 2, after: task.d }))).toEqual([task.c, task.b]);
      // Priority order, the most recently updated first within one: b (high), d, a (normal), c (low), e (wish).
      expect(ids(await search({ after: String(task.a) }))).toEqual([task.c, task.e]);
      expect(ids(await search({ before: String(task.c), limit: 2 }))).toEqual([task.d, task.a]);
      // Trellis's own cursors still work.
      expect(ids(await search({ order: 'newest', limit: 2, after: newest.cursor.after }))).toEqual([task.c, task.b]);
    });

    test('a task the caller may not see is no place to page from, exactly like one that does not exist', async () => {
      const hidden = await call(t.app, 'maniphest.search', { after: String(task.secret) }, tok.erin!);
      const missing = await call(t.app, 'maniphest.search', { after: '999999' }, tok.erin!);
      expect(hidden).toEqual({ result: null, error_code: 'ERR-CONDUIT-CALL', error_info: 'Parameter "after" must be a cursor from a previous page of this search, with the same order.' });
      expect(missing).toEqual(hidden);
      // A maintainer may page from it.
      expect(ids(await search({ after: String(task.secret) }, 'maya'))).toEqual([task.b, task.d, task.a, task.c, task.e]);
    });
  });

  describe('a saved query key is a queryKey', () => {
    test('the caller\'s own saved query runs with its filter and order; constraints still narrow it', async () => {
      const saved = await saveQuery(t.db, t.tracker, erin, 'Normal and low, oldest first', 'priorities=normal,low&order=oldest', 'UTC');
      const r = await search({ queryKey: saved.key });
      expect(ids(r)).toEqual([task.a, task.c, task.d]);
      expect(r.query).toEqual({ queryKey: saved.key });
      expect(ids(await search({ queryKey: saved.key, constraints: { priorities: [25] } }))).toEqual([task.c]);
      expect(ids(await search({ queryKey: saved.key, order: 'newest' }))).toEqual([task.d, task.c, task.a]);
    });

    test("someone else's saved query is refused like a key that names no query", async () => {
      const mine = await saveQuery(t.db, t.tracker, maya, 'Mine', 'authors=maya', 'UTC');
      const refusal = await call(t.app, 'maniphest.search', { queryKey: mine.key }, tok.erin!);
      expect(refusal).toEqual({
        result: null,
        error_code: 'ERR-BAD-QUERYKEY',
        error_info: `Query key "${mine.key}" is neither a built-in query of this search (assigned, authored, subscribed, open, all, overdue, dueweek) nor one of your saved queries.`,
      });
      expect((await call(t.app, 'maniphest.search', { queryKey: 'abcdefghijkl' }, tok.erin!)).error_info).toBe(refusal.error_info!.replace(mine.key, 'abcdefghijkl'));
    });
  });

  describe('policies are Phabricator policy values', () => {
    test('view, interact and edit of each visibility', async () => {
      const policy = async (id: number) => (await search({ constraints: { ids: [id] } }, 'maya')).data[0].fields.policy;
      // Visitors only read: a public task is commented on and edited by logged-in users.
      expect(await policy(task.d)).toEqual({ view: 'public', interact: 'users', edit: 'users' });
      expect(await policy(task.a)).toEqual({ view: 'users', interact: 'users', edit: 'users' });
      expect(await policy(task.secret)).toEqual({ view: 'PHID-PLCY-trellismaintainers', interact: 'PHID-PLCY-trellismaintainers', edit: 'PHID-PLCY-trellismaintainers' });
    });

    test('maniphest.edit takes the Maintainers value back, and transaction.search reports it', async () => {
      const id = await createTask(t.domain, maya, { title: 'Restrict me' });
      await result(t.app, 'maniphest.edit', { objectIdentifier: id, transactions: [{ type: 'view', value: 'PHID-PLCY-trellismaintainers' }] }, tok.maya!);
      expect((await t.db('tasks').where({ id }).first()).view_policy).toBe('maintainers');
      const xactions = await result(t.app, 'transaction.search', { objectIdentifier: `T${id}` }, tok.maya!);
      expect(xactions.data[0]).toMatchObject({ type: 'core:view-policy', fields: { old: 'users', new: 'PHID-PLCY-trellismaintainers' } });
    });
  });

  test('priority keywords: "wishlist" names Wishlist, beside "wish", on the API and the web', async () => {
    const created = await result(t.app, 'maniphest.edit', { transactions: [{ type: 'title', value: 'Someday' }, { type: 'priority', value: 'wishlist' }] }, tok.erin!);
    expect((await t.db('tasks').where({ id: created.object.id }).first()).priority).toBe(0);
    const erinWeb = await loggedIn(t.app, 'erin');
    const page = await erinWeb.get('/maniphest/query/?priorities=wishlist&group=none&order=oldest');
    expect(page.status).toBe(200);
    expect(page.dom.querySelectorAll('.task-row .monogram').map((a) => a.textContent.trim())).toEqual([`T${task.e}`, `T${created.object.id}`]);
  });

  test('transaction.search gives each comment a stable PHID of its own', async () => {
    await edit(t.domain, erin, task.a, { comment: 'First.' });
    await edit(t.domain, erin, task.a, { comment: 'Second.' });
    const read = async () => (await result(t.app, 'transaction.search', { objectIdentifier: `T${task.a}` }, tok.erin!)).data.filter((x: { type: string }) => x.type === 'comment');
    const first = await read();
    const phids = first.map((x: { comments: { phid: string }[] }) => x.comments[0]!.phid);
    expect(phids).toHaveLength(2);
    for (const p of phids) expect(p).toMatch(/^PHID-XCMT-TASK-[a-z2-7]{15}$/);
    expect(new Set(phids).size).toBe(2);
    expect((await read()).map((x: { comments: { phid: string }[] }) => x.comments[0]!.phid)).toEqual(phids);
  });

  test("user.whoami's image is a URL that serves a picture", async () => {
    const me = await result(t.app, 'user.whoami', {}, tok.erin!);
    const path = new URL(me.image).pathname;
    const res = await request(t.app).get(path);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^image\/svg\+xml/);
  });

  test('web lists: "Closed, Resolved" and "(Not Assigned)" headers', async () => {
    const id = await createTask(t.domain, erin, { title: 'Done soon' });
    await edit(t.domain, maya, id, { status: 'resolved' });
    const mayaWeb = await loggedIn(t.app, 'maya');
    const headers = async (q: string) => (await mayaWeb.get(`/maniphest/query/?${q}`)).dom.querySelectorAll('.group-header').map((h) => h.textContent.replace(/\s+/g, ' ').trim());
    expect(await headers('group=status')).toEqual(expect.arrayContaining([expect.stringMatching(/^Closed, Resolved \(1\)$/)]));
    expect((await headers('group=owner'))[0]).toMatch(/^\(Not Assigned\) \([0-9]+\)$/);
  });

  test('a visitor cannot tell which usernames exist: an unknown name in a filter matches nothing, like a name whose tasks they may not see', async () => {
    const visitor = new Browser(t.app);
    // erin's tasks are all for logged-in users: to a visitor, her name matches nothing either.
    for (const field of ['assigned', 'authors', 'subscribers', 'closers']) {
      const known = await visitor.get(`/maniphest/query/?${field}=erin`);
      const unknown = await visitor.get(`/maniphest/query/?${field}=nosuchuser`);
      expect([field, known.status, unknown.status]).toEqual([field, 200, 200]);
      expect(unknown.text).not.toContain('There is no user');
      expect(unknown.html.replaceAll('nosuchuser', 'NAME')).toEqual(known.html.replaceAll('erin', 'NAME'));
    }
    // A known name among unknown ones still finds its visible tasks.
    const mixed = await visitor.get('/maniphest/query/?authors=maya,nosuchuser&group=none');
    expect(mixed.dom.querySelectorAll('.task-row .monogram').map((a) => a.textContent.trim())).toEqual([`T${task.d}`]);
    // Logged in, people may list accounts anyway, and a typo is worth saying.
    const erinWeb = await loggedIn(t.app, 'erin');
    const typo = await erinWeb.get('/maniphest/query/?assigned=nosuchuser');
    expect(typo.status).toBe(400);
    expect(typo.text).toContain('There is no user named "nosuchuser".');
  });
});
