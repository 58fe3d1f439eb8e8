import { useTestApp } from '../support/app';
import { createTask, createUser } from '../support/factories';
import { Browser, loggedIn, timelineLines, type Page } from '../support/http';
import type { User } from '../../server/users/user';

/**
 * Who reads which task. A task someone may not see must be indistinguishable
 * from one that does not exist: same status, same page, on every route and list.
 */

type Viewer = 'visitor' | 'rita' | 'erin' | 'olly' | 'mia' | 'ada';
type Fixture = 'pub' | 'usr' | 'mnt' | 'mntOlly';

const VIEWERS: Viewer[] = ['visitor', 'rita', 'erin', 'olly', 'mia', 'ada'];
const FIXTURES: Fixture[] = ['pub', 'usr', 'mnt', 'mntOlly'];

/** rita reads, erin and olly are engineers (olly owns a Maintainers task), mia maintains, ada administers. */
const SEES: Record<Viewer, Fixture[]> = {
  visitor: ['pub'],
  rita: ['pub', 'usr'],
  erin: ['pub', 'usr'],
  olly: ['pub', 'usr', 'mntOlly'],
  mia: ['pub', 'usr', 'mnt', 'mntOlly'],
  ada: ['pub', 'usr', 'mnt', 'mntOlly'],
};

const VIEW_NAMES: Record<Fixture, string> = { pub: 'Public', usr: 'All Users', mnt: 'Maintainers', mntOlly: 'Maintainers' };

/** A page as a comparison sees it: the request id is the one thing allowed to differ. */
/** A page as compared between a hidden task and a missing one; the login links name the page asked for, which differs by design. */
function fingerprint(page: Page) {
  const html = page.html.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '<request id>').replace(/\/login\?next&#x3D;[^"]*/g, '/login?next=<this page>');
  return { status: page.status, location: page.location, html };
}

describe('task visibility', () => {
  const t = useTestApp();
  const browsers = {} as Record<Viewer, Browser>;
  const ids = {} as Record<Fixture, number>;
  let missing: number;
  let users: Record<string, User>;

  beforeAll(async () => {
    users = {
      rita: await createUser(t.db, { username: 'rita', role: 'reader' }),
      erin: await createUser(t.db, { username: 'erin', role: 'engineer' }),
      olly: await createUser(t.db, { username: 'olly', role: 'engineer' }),
      mia: await createUser(t.db, { username: 'mia', role: 'maintainer' }),
      ada: await createUser(t.db, { username: 'ada', role: 'admin' }),
    };
    const d = { db: t.db, tracker: t.tracker };
    // Every fixture is olly's, so his profile page lists each kind of visibility.
    ids.pub = await createTask(d, users.mia!, { title: 'Public roadmap', view: 'public', owner: 'olly' });
    ids.usr = await createTask(d, users.mia!, { title: 'Staff lunch order', view: 'users', owner: 'olly' });
    ids.mnt = await createTask(d, users.mia!, { title: 'Security hole in login', view: 'maintainers' });
    ids.mntOlly = await createTask(d, users.mia!, { title: 'Rotate the leaked key', view: 'maintainers', owner: 'olly' });
    missing = ids.mntOlly + 1000;

    browsers.visitor = new Browser(t.app);
    for (const v of VIEWERS.filter((v) => v !== 'visitor')) browsers[v] = await loggedIn(t.app, v);
  });

  /** What nothing-written means here: not one event, task row or subscription changed. */
  async function everything() {
    return {
      tasks: await t.db('tasks').orderBy('id').select('*'),
      events: await t.db('task_events').orderBy('id').select('id'),
      subscribers: await t.db('task_subscribers').orderBy(['task_id', 'user_id']).select('task_id', 'user_id'),
    };
  }

  const cases = VIEWERS.flatMap((viewer) => FIXTURES.map((fixture) => ({ viewer, fixture, verdict: SEES[viewer].includes(fixture) ? 'reads' : 'does not see' })));

  test.each(cases)('$viewer $verdict the $fixture task', async ({ viewer, fixture }) => {
    const page = await browsers[viewer].get(`/T${ids[fixture]}`);
    if (SEES[viewer].includes(fixture)) {
      expect(page.status).toBe(200);
      expect(page.dom.querySelector('.view-tag')!.textContent).toBe(VIEW_NAMES[fixture]);
    } else {
      expect(page.status).toBe(404);
      expect(page.text).not.toContain(`T${ids[fixture]}`);
      expect(fingerprint(page)).toEqual(fingerprint(await browsers[viewer].get(`/T${missing}`)));
    }
  });

  /** Every route that names a task, each answered for the hidden task and for a missing one. */
  const ROUTES: { route: string; request: (b: Browser, id: number, from: string) => Promise<Page> }[] = [
    { route: 'GET /T<id>', request: (b, id) => b.get(`/T${id}`) },
    { route: 'GET the edit form', request: (b, id) => b.get(`/maniphest/task/edit/${id}/`) },
    { route: 'POST the edit form', request: (b, id, from) => b.post(`/maniphest/task/edit/${id}/`, { title: 'Nothing to see here', priority: 'high' }, from) },
    { route: 'POST a comment', request: (b, id, from) => b.post(`/T${id}/comment`, { comment: 'Is this still a problem?', status: 'resolved' }, from) },
    { route: 'POST a claim', request: (b, id, from) => b.post(`/T${id}/claim`, {}, from) },
    { route: 'POST a subscription', request: (b, id, from) => b.post(`/T${id}/subscribe`, { action: 'subscribe' }, from) },
  ];

  /**
   * A visitor's writes and a reader's edit form are refused before any task is
   * looked up, so they answer 403 for every id alike; everything else is 404.
   */
  function expectedStatus(viewer: Viewer, route: string): number {
    if (viewer === 'visitor') return route.startsWith('POST') || route === 'GET the edit form' ? 403 : 404;
    if (viewer === 'rita' && route === 'GET the edit form') return 403;
    return 404;
  }

  const hiddenCases = VIEWERS.flatMap((viewer) =>
    FIXTURES.filter((f) => !SEES[viewer].includes(f)).flatMap((fixture) => ROUTES.map((r) => ({ viewer, fixture, ...r }))),
  );

  test.each(hiddenCases)('$route: the $fixture task answers $viewer as if it did not exist', async ({ viewer, fixture, route, request }) => {
    const b = browsers[viewer];
    const from = viewer === 'visitor' ? '/login' : '/maniphest/';
    const before = await everything();

    const hidden = await request(b, ids[fixture], from);
    const absent = await request(b, missing, from);

    expect(hidden.status).toBe(expectedStatus(viewer, route));
    expect(fingerprint(hidden)).toEqual(fingerprint(absent));
    expect(await everything()).toEqual(before);
  });

  /** The monograms a page links to, in page order. */
  const monograms = (page: Page) => page.dom.querySelectorAll('main a.monogram').map((a) => a.textContent.trim());
  const expectedMonograms = (fixtures: Fixture[]) => fixtures.map((f) => `T${ids[f]}`);

  test.each(VIEWERS)('the task list shows %s exactly the tasks they may read', async (viewer) => {
    const page = await browsers[viewer].get('/maniphest/query/all/');
    expect(page.status).toBe(200);
    // All Tasks lists by priority, then the most recently updated: these share a priority and were made in turn.
    expect(monograms(page)).toEqual(expectedMonograms(SEES[viewer]).reverse());
  });

  test.each(VIEWERS.filter((v) => v !== 'visitor'))("olly's profile shows %s only the tasks they may read", async (viewer) => {
    const page = await browsers[viewer].get('/p/olly/');
    expect(page.status).toBe(200);
    const owned = SEES[viewer].filter((f) => f !== 'mnt');
    expect(monograms(page)).toEqual(expectedMonograms(owned).reverse());
  });

  test('a visitor is sent to log in from a profile, and sees none of its tasks', async () => {
    const page = await browsers.visitor.get('/p/olly/');
    expect(page.status).toBe(303);
    expect(page.location).toBe('/login?next=%2Fp%2Folly%2F');
    expect(page.html).not.toContain('/T');
  });

  test('the owner sees a Maintainers task only while they own it', async () => {
    const olly = browsers.olly;
    const id = await createTask({ db: t.db, tracker: t.tracker }, users.mia!, { title: 'Hand over the keys', view: 'maintainers', owner: 'olly' });
    expect((await olly.get(`/T${id}`)).status).toBe(200);

    const reassigned = await browsers.mia.post(`/T${id}/comment`, { comment: '', owner: 'erin' }, `/T${id}`);
    expect(reassigned.status).toBe(303);
    // erin, the new owner, now sees it too; olly stays subscribed but that does not let him read it.
    expect((await browsers.erin.get(`/T${id}`)).status).toBe(200);
    const gone = await olly.get(`/T${id}`);
    expect(gone.status).toBe(404);
    expect(fingerprint(gone)).toEqual(fingerprint(await olly.get(`/T${missing}`)));
  });

  test('a task created with a visibility other than the default says what it was set to, never what it was changed from', async () => {
    const created = await browsers.mia.post('/maniphest/task/edit/', { title: 'Audit the vault', view: 'maintainers' }, '/maniphest/task/edit/');
    expect(created.status).toBe(303);
    const lines = timelineLines(await browsers.mia.get(created.location!));
    expect(lines).toEqual(['mia created this task.', 'mia set the visibility to "Maintainers".']);
    expect(lines.join(' ')).not.toContain('All Users');
  });

  test('changing the visibility reads as one line in the timeline, and takes effect at once', async () => {
    const mia = browsers.mia;
    const created = await mia.post('/maniphest/task/edit/', { title: 'Publish the changelog' }, '/maniphest/task/edit/');
    expect(created.status).toBe(303);
    const url = created.location!;
    const id = Number(url.slice(2));
    expect((await browsers.visitor.get(url)).status).toBe(404);

    const opened = await mia.post(`/maniphest/task/edit/${id}/`, { view: 'public' }, `/maniphest/task/edit/${id}/`);
    expect(opened.status).toBe(303);
    expect(opened.location).toBe(url);

    const visitorPage = await browsers.visitor.get(url);
    expect(visitorPage.status).toBe(200);
    expect(visitorPage.dom.querySelector('.view-tag')!.textContent).toBe('Public');
    expect(timelineLines(visitorPage)).toEqual(['mia created this task.', 'mia changed the visibility from "All Users" to "Public".']);

    const closed = await mia.post(`/maniphest/task/edit/${id}/`, { view: 'maintainers' }, `/maniphest/task/edit/${id}/`);
    expect(closed.status).toBe(303);
    expect(timelineLines(await mia.get(url)).at(-1)).toBe('mia changed the visibility from "Public" to "Maintainers".');
    expect((await browsers.visitor.get(url)).status).toBe(404);
    expect((await browsers.erin.get(url)).status).toBe(404);

    const rows = await t.db('task_events').where({ task_id: id, type: 'view' }).orderBy('id').select('old_value', 'new_value');
    expect(rows).toEqual([
      { old_value: 'users', new_value: 'public' },
      { old_value: 'public', new_value: 'maintainers' },
    ]);
  });
});
