import { useTestApp } from '../support/app';
import { createTask, createUser, edit } from '../support/factories';
import { Browser, loggedIn, timelineLines, type Page } from '../support/http';
import type { User } from '../../server/users/user';

/**
 * Each role against each action, through the same forms a person uses: an
 * allowed action answers 303 and shows up in the timeline; a refused one
 * answers 403 with a sentence saying why, and writes nothing at all.
 */

type Who = 'visitor' | 'reader' | 'engineer' | 'maintainer' | 'admin';
const A: Record<Who, string> = { visitor: 'a visitor', reader: 'a reader', engineer: 'an engineer', maintainer: 'a maintainer', admin: 'an admin' };
const EVERYONE: Who[] = ['visitor', 'reader', 'engineer', 'maintainer', 'admin'];
const ENGINEERS: Who[] = ['engineer', 'maintainer', 'admin'];
const MAINTAINERS: Who[] = ['maintainer', 'admin'];

const NAMES: Record<Exclude<Who, 'visitor'>, string> = { reader: 'rita', engineer: 'erin', maintainer: 'mia', admin: 'ada' };

const LOGIN_REQUIRED = 'You must log in to do that.';

interface TaskAction {
  action: string;
  allowed: Who[];
  /** Puts the fresh task in the state the action starts from. */
  setup?: (taskId: number, actor: User | null) => Promise<void>;
  act: (b: Browser, url: string, from: string) => Promise<Page>;
  /** The timeline line an allowed action adds. */
  line: (name: string) => string;
  /** Why a logged-in account whose role does not allow it is refused. */
  refusal: string;
}

describe('what each role may do', () => {
  const t = useTestApp();
  const users = {} as Record<Exclude<Who, 'visitor'> | 'author', User>;
  const browsers = {} as Record<Who, Browser>;

  /** The page whose forms carry the CSRF token: a visitor has none on the task list. */
  const tokenPage = (who: Who) => (who === 'visitor' ? '/login' : '/maniphest/');

  beforeAll(async () => {
    users.admin = await createUser(t.db, { username: 'ada', role: 'admin' });
    users.maintainer = await createUser(t.db, { username: 'mia', role: 'maintainer' });
    users.engineer = await createUser(t.db, { username: 'erin', role: 'engineer' });
    users.reader = await createUser(t.db, { username: 'rita', role: 'reader' });
    // The tasks' author is none of the actors, who would otherwise start out subscribed.
    users.author = await createUser(t.db, { username: 'max', role: 'maintainer' });
    await createUser(t.db, { username: 'bob', role: 'engineer' });
    browsers.visitor = new Browser(t.app);
    for (const who of ['reader', 'engineer', 'maintainer', 'admin'] as const) browsers[who] = await loggedIn(t.app, NAMES[who]);
  });

  /** Everything a refused action must leave untouched. */
  async function everything() {
    return {
      tasks: await t.db('tasks').orderBy('id').select('*'),
      events: await t.db('task_events').orderBy('id').select('id'),
      subscribers: await t.db('task_subscribers').orderBy(['task_id', 'user_id']).select('task_id', 'user_id'),
    };
  }

  /** A Public task, so that a visitor's refusals are about permission and not about visibility. */
  const freshTask = () => createTask({ db: t.db, tracker: t.tracker }, users.author, { title: 'Printer on fire', view: 'public' });

  const editForm = (fields: Record<string, string>) => (b: Browser, url: string, from: string) =>
    b.post(`/maniphest/task/edit/${url.slice(2)}/`, fields, from);
  const commentForm = (fields: Record<string, string>) => (b: Browser, url: string, from: string) => b.post(`${url}/comment`, fields, from);
  const subscribeAs = async (taskId: number, actor: User | null) => {
    if (actor) await edit({ db: t.db, tracker: t.tracker }, users.author, taskId, { subscribers: { add: [actor.id] } });
  };
  const closeIt = async (taskId: number) => {
    await edit({ db: t.db, tracker: t.tracker }, users.author, taskId, { status: 'resolved' });
  };

  const REFUSALS: Record<string, string> = {
    comment: 'You do not have permission to comment on this task.',
    owner: 'You do not have permission to assign this task.',
    view: 'You do not have permission to change the visibility of this task.',
  };
  const refusedChange = (field: string) => REFUSALS[field] ?? `You do not have permission to change the ${field} of this task.`;

  const TASK_ACTIONS: TaskAction[] = [
    {
      action: 'rename a task (edit form)',
      allowed: ENGINEERS,
      act: editForm({ title: 'Printer still on fire' }),
      line: (n) => `${n} renamed this task from Printer on fire to Printer still on fire.`,
      refusal: refusedChange('title'),
    },
    {
      action: 'edit the description (edit form)',
      allowed: ENGINEERS,
      act: editForm({ description: 'Smoke everywhere.' }),
      line: (n) => `${n} updated the task description.`,
      refusal: refusedChange('description'),
    },
    {
      action: 'set the priority (edit form)',
      allowed: ENGINEERS,
      act: editForm({ priority: 'high' }),
      line: (n) => `${n} triaged this task as High priority.`,
      refusal: refusedChange('priority'),
    },
    {
      action: 'set the priority (comment form)',
      allowed: ENGINEERS,
      act: commentForm({ comment: '', priority: 'low' }),
      line: (n) => `${n} triaged this task as Low priority.`,
      refusal: refusedChange('priority'),
    },
    {
      action: 'assign the task (edit form)',
      allowed: ENGINEERS,
      act: editForm({ owner: 'bob' }),
      line: (n) => `${n} assigned this task to bob.`,
      refusal: refusedChange('owner'),
    },
    {
      action: 'assign the task (comment form)',
      allowed: ENGINEERS,
      act: commentForm({ comment: '', owner: 'bob' }),
      line: (n) => `${n} assigned this task to bob.`,
      refusal: refusedChange('owner'),
    },
    {
      action: 'claim the task',
      allowed: ENGINEERS,
      act: (b, url, from) => b.post(`${url}/claim`, {}, from),
      line: (n) => `${n} claimed this task.`,
      refusal: refusedChange('owner'),
    },
    {
      action: 'comment',
      allowed: ENGINEERS,
      act: commentForm({ comment: 'Have we tried water?' }),
      line: (n) => `${n} added a comment.`,
      refusal: refusedChange('comment'),
    },
    {
      action: 'subscribe',
      allowed: ENGINEERS,
      act: (b, url, from) => b.post(`${url}/subscribe`, { action: 'subscribe' }, from),
      line: (n) => `${n} subscribed.`,
      refusal: refusedChange('subscribers'),
    },
    {
      // Leaving a task's subscribers needs no role: a reader subscribed by someone else may leave.
      action: 'unsubscribe',
      allowed: ['reader', ...ENGINEERS],
      setup: subscribeAs,
      act: (b, url, from) => b.post(`${url}/subscribe`, { action: 'unsubscribe' }, from),
      line: (n) => `${n} unsubscribed.`,
      refusal: refusedChange('subscribers'),
    },
    {
      action: 'close the task (comment form)',
      allowed: MAINTAINERS,
      act: commentForm({ comment: '', status: 'resolved' }),
      line: (n) => `${n} closed this task as Resolved.`,
      refusal: refusedChange('status'),
    },
    {
      action: 'close the task (edit form)',
      allowed: MAINTAINERS,
      act: editForm({ status: 'wontfix' }),
      line: (n) => `${n} closed this task as Wontfix.`,
      refusal: refusedChange('status'),
    },
    {
      action: 'reopen the task (comment form)',
      allowed: MAINTAINERS,
      setup: closeIt,
      act: commentForm({ comment: '', status: 'open' }),
      line: (n) => `${n} reopened this task as Open.`,
      refusal: refusedChange('status'),
    },
    {
      action: 'reopen the task (edit form)',
      allowed: MAINTAINERS,
      setup: closeIt,
      act: editForm({ status: 'open' }),
      line: (n) => `${n} reopened this task as Open.`,
      refusal: refusedChange('status'),
    },
    {
      action: 'change the visibility (edit form)',
      allowed: MAINTAINERS,
      act: editForm({ view: 'users' }),
      line: (n) => `${n} changed the visibility from "Public" to "All Users".`,
      refusal: refusedChange('view'),
    },
  ];

  const taskCases = EVERYONE.flatMap((who) => TASK_ACTIONS.map((a) => ({ who, a: A[who], ...a, verdict: a.allowed.includes(who) ? 'may' : 'may not' })));

  test.each(taskCases)('$a $verdict $action', async ({ who, allowed, setup, act, line, refusal }) => {
    const actor = who === 'visitor' ? null : users[who];
    const id = await freshTask();
    const url = `/T${id}`;
    await setup?.(id, actor);
    const before = await everything();

    const page = await act(browsers[who], url, who === 'visitor' ? '/login' : url);

    if (allowed.includes(who)) {
      expect(page.status).toBe(303);
      expect(page.location).toBe(url);
      expect(timelineLines(await browsers.admin.get(url))).toContain(line(actor!.username));
      const added = await t.db('task_events').where({ task_id: id }).where('id', '>', before.events.at(-1)?.id ?? 0).select('actor_id');
      expect(added.length).toBeGreaterThan(0);
      expect(added.every((e) => e.actor_id === actor!.id)).toBe(true);
    } else {
      expect(page.status).toBe(403);
      expect(page.dom.querySelector('h1')!.textContent).toBe('Request Refused');
      expect(page.text).toContain(who === 'visitor' ? LOGIN_REQUIRED : refusal);
      expect(await everything()).toEqual(before);
    }
  });

  test.each(EVERYONE.map((who) => ({ who, a: A[who], verdict: ENGINEERS.includes(who) ? 'may' : 'may not' })))(
    '$a $verdict create a task',
    async ({ who }) => {
      const before = await everything();
      const page = await browsers[who].post('/maniphest/task/edit/', { title: `Filed by a ${who}`, description: 'Found it.' }, tokenPage(who));
      if (ENGINEERS.includes(who)) {
        expect(page.status).toBe(303);
        const task = await t.db('tasks').where({ title: `Filed by a ${who}` }).first();
        expect(page.location).toBe(`/T${task.id}`);
        expect(timelineLines(await browsers[who].get(page.location!))).toEqual([`${NAMES[who as 'engineer']} created this task.`]);
      } else {
        expect(page.status).toBe(403);
        expect(page.text).toContain(who === 'visitor' ? LOGIN_REQUIRED : 'You do not have permission to create tasks.');
        expect(await everything()).toEqual(before);
      }
    },
  );

  describe('managing accounts', () => {
    const MANAGE_REFUSAL = 'Only administrators manage accounts.';
    let seq = 0;
    const account = async () => createUser(t.db, { username: `target${++seq}`, role: 'reader' });
    const usersTable = () => t.db('users').orderBy('id').select('id', 'role', 'disabled_at');

    test.each(EVERYONE)('the people page: only an admin sees it (%s)', async (who) => {
      const target = await account();
      const page = await browsers[who].get('/people/');
      if (who === 'admin') {
        expect(page.status).toBe(200);
        expect(page.dom.querySelector('h1')!.textContent).toBe('People');
        expect(page.dom.querySelectorAll('.people-table tbody tr td:first-child a').map((a) => a.textContent)).toContain(target.username);
      } else {
        expect(page.status).toBe(403);
        expect(page.text).toContain(who === 'visitor' ? LOGIN_REQUIRED : MANAGE_REFUSAL);
        expect(page.text).not.toContain(target.username);
      }
    });

    test.each(EVERYONE)('changing a role: only an admin may (%s)', async (who) => {
      const target = await account();
      const before = await usersTable();
      const page = await browsers[who].post(`/people/${target.username}/role`, { role: 'maintainer' }, tokenPage(who));
      if (who === 'admin') {
        expect(page.status).toBe(303);
        expect(page.location).toBe('/people/');
        expect((await t.db('users').where({ id: target.id }).first()).role).toBe('maintainer');
      } else {
        expect(page.status).toBe(403);
        expect(page.text).toContain(who === 'visitor' ? LOGIN_REQUIRED : MANAGE_REFUSAL);
        expect(await usersTable()).toEqual(before);
      }
    });

    test.each(EVERYONE)('disabling an account: only an admin may (%s)', async (who) => {
      const target = await account();
      const before = await usersTable();
      const page = await browsers[who].post(`/people/${target.username}/disable`, { disabled: 'true' }, tokenPage(who));
      if (who === 'admin') {
        expect(page.status).toBe(303);
        expect(page.location).toBe('/people/');
        expect((await t.db('users').where({ id: target.id }).first()).disabled_at).not.toBeNull();
      } else {
        expect(page.status).toBe(403);
        expect(page.text).toContain(who === 'visitor' ? LOGIN_REQUIRED : MANAGE_REFUSAL);
        expect(await usersTable()).toEqual(before);
      }
    });
  });

  describe('what each role is shown', () => {
    /** The controls on a task page and in the top bar, as one comparable record. */
    async function controls(who: Who, url: string) {
      const page = await browsers[who].get(url);
      expect(page.status).toBe(200);
      const dom = page.dom;
      const buttons = dom.querySelectorAll('.curtain button, .curtain a.button').map((b) => b.textContent.trim());
      return {
        buttons,
        commentForm: dom.querySelector('form.comment-form') !== null,
        statusPicker: dom.querySelector('form.comment-form select[name="status"]') !== null,
        priorityPicker: dom.querySelector('form.comment-form select[name="priority"]') !== null,
        ownerField: dom.querySelector('form.comment-form input[name="owner"]') !== null,
        loginHint: dom.querySelector('.login-hint')?.textContent.trim() ?? null,
        topLinks: dom.querySelectorAll('.topnav a').map((a) => a.textContent.trim()),
      };
    }

    const SHOWN: Record<Who, Awaited<ReturnType<typeof controls>>> = {
      visitor: { buttons: [], commentForm: false, statusPicker: false, priorityPicker: false, ownerField: false, loginHint: 'Log in to comment.', topLinks: ['Tasks', 'Projects'] },
      // Anyone logged in may mute a task's mail.
      reader: { buttons: ['Mute Notifications'], commentForm: false, statusPicker: false, priorityPicker: false, ownerField: false, loginHint: null, topLinks: ['Tasks', 'Projects'] },
      engineer: {
        buttons: ['Edit Task', 'Claim', 'Subscribe', 'Mute Notifications'],
        commentForm: true,
        statusPicker: false,
        priorityPicker: true,
        ownerField: true,
        loginHint: null,
        topLinks: ['Tasks', 'Projects', 'Create Task'],
      },
      maintainer: {
        buttons: ['Edit Task', 'Claim', 'Subscribe', 'Mute Notifications'],
        commentForm: true,
        statusPicker: true,
        priorityPicker: true,
        ownerField: true,
        loginHint: null,
        topLinks: ['Tasks', 'Projects', 'Create Task'],
      },
      admin: {
        buttons: ['Edit Task', 'Claim', 'Subscribe', 'Mute Notifications'],
        commentForm: true,
        statusPicker: true,
        priorityPicker: true,
        ownerField: true,
        loginHint: null,
        topLinks: ['Tasks', 'Projects', 'Create Task', 'People', 'Mail'],
      },
    };

    test.each(EVERYONE)('the task page and top bar (%s)', async (who) => {
      const id = await freshTask();
      expect(await controls(who, `/T${id}`)).toEqual(SHOWN[who]);
    });

    test.each(EVERYONE)('the Create Task button on the task list (%s)', async (who) => {
      const page = await browsers[who].get('/maniphest/');
      expect(page.status).toBe(200);
      const create = page.dom.querySelectorAll('main a[href="/maniphest/task/edit/"]').length > 0;
      expect(create).toBe(ENGINEERS.includes(who));
    });

    test('the owner is not offered Claim, and a subscriber is offered Unsubscribe', async () => {
      const id = await createTask({ db: t.db, tracker: t.tracker }, users.engineer, { title: 'Mine', owner: 'erin' });
      expect((await controls('engineer', `/T${id}`)).buttons).toEqual(['Edit Task', 'Unsubscribe', 'Mute Notifications']);
    });

    test.each(EVERYONE)('the create form (%s)', async (who) => {
      const page = await browsers[who].get('/maniphest/task/edit/');
      if (!ENGINEERS.includes(who)) {
        expect(page.status).toBe(403);
        expect(page.text).toContain(who === 'visitor' ? LOGIN_REQUIRED : 'You do not have permission to create tasks.');
        expect(page.dom.querySelector('form.task-form')).toBeNull();
        return;
      }
      expect(page.status).toBe(200);
      const fields = page.dom.querySelectorAll('form.task-form [name]').map((f) => f.getAttribute('name'));
      const expected =
        who === 'engineer'
          ? ['__csrf__', 'title', 'projects', 'owner', 'priority', 'dueDate', 'dueTime', 'description']
          : ['__csrf__', 'title', 'projects', 'owner', 'priority', 'status', 'dueDate', 'dueTime', 'view', 'description'];
      expect(fields).toEqual(expected);
    });

    test.each(EVERYONE)('the edit form (%s)', async (who) => {
      const id = await freshTask();
      const page = await browsers[who].get(`/maniphest/task/edit/${id}/`);
      if (!ENGINEERS.includes(who)) {
        expect(page.status).toBe(403);
        expect(page.text).toContain(who === 'visitor' ? LOGIN_REQUIRED : 'You do not have permission to edit tasks.');
        expect(page.dom.querySelector('form.task-form')).toBeNull();
        return;
      }
      expect(page.status).toBe(200);
      const fields = page.dom.querySelectorAll('form.task-form [name]').map((f) => f.getAttribute('name'));
      const expected =
        who === 'engineer'
          ? ['__csrf__', 'version', 'title', 'projects', 'projectsWas', 'owner', 'priority', 'dueDate', 'dueTime', 'description']
          : ['__csrf__', 'version', 'title', 'projects', 'projectsWas', 'owner', 'priority', 'status', 'dueDate', 'dueTime', 'view', 'description'];
      expect(fields).toEqual(expected);
    });
  });
});
