import { createProject } from '../../server/projects/edit';
import { ProjectInput } from '../../server/projects/project';
import type { User } from '../../server/users/user';
import { useTestApp } from '../support/app';
import { createTask, createUser, edit } from '../support/factories';
import { Browser, fieldError, formValues, loggedIn, textOf } from '../support/http';

/**
 * Daily use without JavaScript: the favicon, logging in and coming back, one
 * "Not Found" for missing and hidden tasks, the comment form posting to the
 * task's own address, "That changed nothing.", subscribing by commenting and
 * claiming, the status picker, Quote links, the jump box and the typeahead's
 * JSON, which holds only what the viewer may see.
 */

const t = useTestApp();
let alice: User;
let mia: User;
const ids = { open: 0, secret: 0, other: 0 };

describe('before the first account exists', () => {
  test('the favicon is served, not redirected to setup', async () => {
    const b = new Browser(t.app);
    const icon = await b.agent.get('/favicon.ico');
    expect(icon.status).toBe(200);
    expect(icon.headers['content-type']).toMatch(/^image\/svg\+xml/);
    expect((await b.get('/maniphest/')).location).toBe('/setup');
    const setup = await b.get('/setup');
    expect(setup.dom.querySelector('link[rel="icon"]')!.getAttribute('href')).toBe('/static/img/favicon.svg');
  });
});

describe('daily use', () => {
  beforeAll(async () => {
    alice = await createUser(t.db, { username: 'alice', role: 'engineer', realname: 'Alice Moreau' });
    mia = await createUser(t.db, { username: 'mia', role: 'maintainer' });
    await createUser(t.db, { username: 'rita', role: 'reader' });
    await createUser(t.db, { username: 'albert', role: 'engineer' });
    await createProject(t.db, mia, ProjectInput.parse({ name: 'Backend Platform', hashtags: 'backend' }));
    ids.open = await createTask(t.domain, mia, { title: 'Rotate the request logs', view: 'public' });
    ids.secret = await createTask(t.domain, mia, { title: 'Rotate the leaked key', view: 'maintainers' });
    ids.other = await createTask(t.domain, mia, { title: 'Rotate nothing else', owner: 'mia' });
    await edit(t.domain, mia, ids.open, { comment: 'First note.' });
  });

  describe('logging in and coming back', () => {
    test('a hidden task and a missing one are both "Not Found", with a way to log in and come back', async () => {
      const visitor = new Browser(t.app);
      const hidden = await visitor.get(`/T${ids.secret}`);
      const missing = await visitor.get('/T999999');
      const unknown = await visitor.get('/no/such/page');
      for (const page of [hidden, missing, unknown]) {
        expect(page.status).toBe(404);
        expect(textOf(page.dom.querySelector('h1')!)).toBe('Not Found');
        expect(textOf(page.dom.querySelector('.message')!)).toBe('There is nothing here: no such page, or no page you may see.');
      }
      expect(hidden.dom.querySelector('.login-hint a')!.getAttribute('href')).toBe(`/login?next=%2FT${ids.secret}`);
      const same = (html: string, id: number | string) => html.replaceAll(`%2FT${id}`, '%2FTN').replace(/Request [0-9a-f-]{36}/, 'Request R');
      expect(same(hidden.html, ids.secret)).toBe(same(missing.html, '999999'));

      const login = await visitor.get(hidden.dom.querySelector('.login-hint a')!.getAttribute('href')!);
      expect(formValues(login, 'form[action="/login"]').next).toBe(`/T${ids.secret}`);
      const back = await visitor.post('/login', { username: 'mia', password: 'correct horse battery', next: `/T${ids.secret}` }, '/login');
      expect(back.location).toBe(`/T${ids.secret}`);
      expect((await visitor.get(`/T${ids.secret}`)).status).toBe(200);
    });

    test("the top bar's Log In link remembers the page", async () => {
      const visitor = new Browser(t.app);
      const list = await visitor.get('/maniphest/query/open/');
      expect(list.dom.querySelector('.account a')!.getAttribute('href')).toBe('/login?next=%2Fmaniphest%2Fquery%2Fopen%2F');
      const login = await visitor.get('/login');
      expect(login.dom.querySelector('.account a')!.getAttribute('href')).toBe('/login');
    });
  });

  describe('the comment form', () => {
    test('posts to the task itself: a refused comment shows its error under the field, at /T123', async () => {
      const b = await loggedIn(t.app, 'alice');
      const page = await b.get(`/T${ids.open}`);
      expect(page.dom.querySelector('form.comment-form')!.getAttribute('action')).toBe(`/T${ids.open}`);
      const refused = await b.post(`/T${ids.open}`, { comment: '', owner: 'nobody-by-that-name' }, `/T${ids.open}`);
      expect(refused.status).toBe(422);
      expect(refused.location).toBeUndefined();
      expect(fieldError(refused, 'owner', 'form.comment-form')).toMatch(/nobody-by-that-name/);
      expect(formValues(refused, 'form.comment-form').owner).toBe('nobody-by-that-name');
      // The error sits in the field's own cell of the grid, not as a cell of its own.
      expect(refused.dom.querySelectorAll('.actions > .field-error')).toHaveLength(0);
    });

    test('a submission that changes nothing answers 422 "That changed nothing." and keeps the form', async () => {
      const b = await loggedIn(t.app, 'mia');
      const before = await t.db('task_events').where({ task_id: ids.other }).count({ n: '*' });
      const page = await b.post(`/T${ids.other}`, { comment: '  ', owner: 'mia', status: '', priority: '' }, `/T${ids.other}`);
      expect(page.status).toBe(422);
      expect(textOf(page.dom.querySelector('form.comment-form')!)).toContain('That changed nothing.');
      expect(formValues(page, 'form.comment-form').owner).toBe('mia');
      expect(await t.db('task_events').where({ task_id: ids.other }).count({ n: '*' })).toEqual(before);
    });

    test('commenting and claiming subscribe', async () => {
      const b = await loggedIn(t.app, 'alice');
      const task = await createTask(t.domain, mia, { title: 'Subscribe me', view: 'users' });
      const subscribers = () => t.db('task_subscribers').where({ task_id: task }).pluck('user_id');
      expect(await subscribers()).not.toContain(alice.id);
      expect((await b.post(`/T${task}`, { comment: 'Me too.' }, `/T${task}`)).location).toBe(`/T${task}`);
      expect(await subscribers()).toContain(alice.id);

      const claimed = await createTask(t.domain, mia, { title: 'Claim me', view: 'users' });
      expect((await b.post(`/T${claimed}/claim`, {}, `/T${claimed}`)).status).toBe(303);
      expect(await t.db('task_subscribers').where({ task_id: claimed }).pluck('user_id')).toContain(alice.id);
    });

    test('the status and priority pickers offer the current value once, as "Keep …"', async () => {
      const b = await loggedIn(t.app, 'mia');
      const page = await b.get(`/T${ids.open}`);
      const statuses = page.dom.querySelectorAll('select[name="status"] option').map((o) => textOf(o));
      expect(statuses[0]).toBe('Keep Open');
      expect(statuses).not.toContain('Open');
      const priorities = page.dom.querySelectorAll('select[name="priority"] option').map((o) => textOf(o));
      expect(priorities[0]).toBe('Keep Needs Triage');
      expect(priorities).not.toContain('Needs Triage');
    });

    test('Quote shows only to those with a comment box', async () => {
      const reader = await loggedIn(t.app, 'rita');
      expect((await reader.get(`/T${ids.open}`)).dom.querySelectorAll('a.quote')).toHaveLength(0);
      expect((await new Browser(t.app).get(`/T${ids.open}`)).dom.querySelectorAll('a.quote')).toHaveLength(0);
      expect((await (await loggedIn(t.app, 'alice')).get(`/T${ids.open}`)).dom.querySelectorAll('a.quote')).toHaveLength(1);
    });
  });

  describe('lists', () => {
    test('the date column says what its date is', async () => {
      const b = await loggedIn(t.app, 'alice');
      const row = (await b.get('/maniphest/query/all/')).dom.querySelector('.task-row')!;
      expect(textOf(row.querySelector('.when')!)).toMatch(/^Updated /);
    });
  });

  describe('the jump box', () => {
    test('is a GET form in the top bar, for everyone', async () => {
      const page = await new Browser(t.app).get('/maniphest/');
      const form = page.dom.querySelector('header form.jump')!;
      expect(form.getAttribute('method')).toBe('get');
      expect(form.getAttribute('action')).toBe('/jump/');
      expect(page.dom.querySelector(`label[for="jump-box"]`)).not.toBeNull();
    });

    test.each([
      ['T12', '/T12'],
      ['t7', '/T7'],
      ['#Backend', '/tag/backend/'],
      ['@alice', '/p/alice/'],
      ['rotate logs', '/maniphest/query/?text=rotate%20logs'],
      ['T12 crash', '/maniphest/query/?text=T12%20crash'],
      ['', '/maniphest/'],
      ['#a/../../x', '/maniphest/query/?text=%23a%2F..%2F..%2Fx'],
    ])('%p leads to %s', async (q, to) => {
      const page = await new Browser(t.app).get(`/jump/?q=${encodeURIComponent(q)}`);
      expect(page.status).toBe(303);
      expect(page.location).toBe(to);
    });
  });

  describe('the typeahead', () => {
    const ask = async (b: Browser, kind: string, q: string) => {
      const res = await b.agent.get(`/typeahead/?kind=${kind}&q=${encodeURIComponent(q)}`);
      expect(res.status).toBe(200);
      return (res.body as { results: { value: string; label: string }[] }).results;
    };

    test('suggests people by username or real name, projects by hashtag or name', async () => {
      const b = await loggedIn(t.app, 'rita');
      expect((await ask(b, 'people', 'al')).map((r) => r.value)).toEqual(['albert', 'alice']);
      expect((await ask(b, 'people', 'moreau')).map((r) => r.label)).toEqual(['alice (Alice Moreau)']);
      expect((await ask(b, 'people', '@ali')).map((r) => r.value)).toEqual(['alice']);
      expect((await ask(b, 'projects', 'platf')).map((r) => r.value)).toEqual(['#backend']);
      expect(await ask(b, 'people', '%')).toEqual([]);
    });

    test('suggests only tasks the viewer may see', async () => {
      const reader = await loggedIn(t.app, 'rita');
      expect((await ask(reader, 'tasks', 'rotate')).map((r) => r.value).sort()).toEqual([`T${ids.open}`, `T${ids.other}`].sort());
      expect(await ask(reader, 'tasks', `T${ids.secret}`)).toEqual([]);
      const maintainer = await loggedIn(t.app, 'mia');
      expect((await ask(maintainer, 'tasks', `T${ids.secret}`)).map((r) => r.label)).toEqual([`T${ids.secret}: Rotate the leaked key`]);
      const visitor = new Browser(t.app);
      expect((await ask(visitor, 'tasks', 'rotate')).map((r) => r.value)).toEqual([`T${ids.open}`]);
      expect(await ask(visitor, 'people', 'al')).toEqual([]);
    });

    test('an unknown kind is a 400', async () => {
      const res = await new Browser(t.app).agent.get('/typeahead/?kind=secrets&q=a');
      expect(res.status).toBe(400);
    });

    test('the fields that name people and projects carry it, and still take plain text', async () => {
      const page = await (await loggedIn(t.app, 'mia')).get(`/T${ids.open}`);
      expect(page.dom.querySelector('form.comment-form input[name="owner"]')!.getAttribute('data-suggest')).toBe('people');
      expect(page.dom.querySelector('form.comment-form input[name="addProjects"]')!.getAttribute('data-suggest')).toBe('projects');
      const list = await (await loggedIn(t.app, 'mia')).get('/maniphest/');
      expect(list.dom.querySelector('form.filters input[name="assigned"]')!.getAttribute('data-suggest')).toBe('people');
    });
  });
});
