import { CAPABILITIES, ROLES, can, type Capability, type Role } from '../../server/users/roles';
import type { User } from '../../server/users/user';
import { queueMail } from '../../server/mail/outbox';
import { applyEdit } from '../../server/tasks/editor';
import { useTestApp } from '../support/app';
import { call, tokenFor } from '../support/conduit';
import { createTask, createUser } from '../support/factories';
import { Browser, loggedIn, type Page } from '../support/http';
import type { Express } from 'express';
import { changedTables, everyRow } from './rows';

/**
 * Every capability of server/users/roles.ts, for every role and for a
 * visitor, through the real web routes and Conduit methods. The expected
 * verdict comes from the capability map itself (`can`), so a change to the map
 * is checked the day it is made; PROBES is typed by capability, so a new one
 * does not compile until it has its probes here.
 */

type Who = Role | 'visitor';
const WHO: Who[] = ['visitor', ...ROLES];

interface Ctx {
  app: Express;
  browsers: Record<Who, Browser>;
  /** Each browser's CSRF token, read once: it is bound to the session and does not change. */
  csrf: Record<Who, string>;
  tokens: Record<Who, string | null>;
  users: Record<Role, User>;
  /** A fresh Public task, by an author none of the actors is: only permissions decide. */
  task(): Promise<number>;
  /** A fresh reader account, for the account-management probes. */
  account(): Promise<User>;
  /** A fresh message in the outbox, for the mail probes. */
  message(): Promise<number>;
  /** A comment by someone none of the actors is, on a fresh task: "T/event" as its URL names it. */
  comment(): Promise<string>;
}

interface Outcome {
  /** The app says it did it: a 303, or a Conduit result. */
  allowed: boolean;
  /** The app refused as it should: a 403 on the web; on Conduit, a refusal (no token at all for a visitor). */
  refused: boolean;
  detail: string;
}

interface Attempt {
  name: string;
  /** Makes what the attempt acts on (a task, an account) before the database is compared. */
  setup(c: Ctx): Promise<string>;
  run(c: Ctx, who: Who, subject: string): Promise<Outcome>;
}

interface CapabilityProbe {
  web: Attempt[];
  /** Conduit's methods that exercise the capability, or why none does. */
  api: Attempt[] | { none: string };
}

const tokenPage = (who: Who) => (who === 'visitor' ? '/login' : '/settings/tokens/');
const newTask = (c: Ctx) => c.task().then(String);
const noSubject = async () => '';

let probeProjects = 0;

/** A web form posted to `path(subject)`, with `fields` and any that depend on the subject. */
function form(
  name: string,
  setup: (c: Ctx) => Promise<string>,
  path: (subject: string) => string,
  fields: Record<string, string | string[]>,
  more: (subject: string) => Record<string, string> = () => ({}),
): Attempt {
  return {
    name: `web: ${name}`,
    setup,
    async run(c, who, subject) {
      const page: Page = await c.browsers[who].postRaw(path(subject), { ...fields, ...more(subject), __csrf__: c.csrf[who] });
      return { allowed: page.status === 303, refused: page.status === 403, detail: `${page.status} ${page.text.slice(0, 200)}` };
    },
  };
}

/** A maniphest.edit call on a fresh task, or creating one. */
function edit(name: string, transactions: (c: Ctx, who: Who) => unknown[], onTask = true): Attempt {
  return {
    name: `api: maniphest.edit ${name}`,
    setup: onTask ? newTask : noSubject,
    async run(c, who, subject) {
      const params = { ...(subject ? { objectIdentifier: Number(subject) } : {}), transactions: transactions(c, who) };
      const body = await call(c.app, 'maniphest.edit', params, c.tokens[who]);
      const refusal = who === 'visitor' ? 'ERR-INVALID-SESSION' : 'ERR-CONDUIT-CORE';
      return { allowed: body.error_code === null, refused: body.error_code === refusal, detail: `${body.error_code}: ${body.error_info}` };
    },
  };
}

/** One of Phabricator's older write methods: maniphest.update on a fresh task, or maniphest.createtask. */
function legacy(method: 'maniphest.createtask' | 'maniphest.update', params: Record<string, unknown>): Attempt {
  return {
    name: `api: ${method} ${Object.keys(params).join(', ')}`,
    setup: method === 'maniphest.update' ? newTask : noSubject,
    async run(c, who, subject) {
      const body = await call(c.app, method, { ...(subject ? { id: Number(subject) } : {}), ...params }, c.tokens[who]);
      const refusal = who === 'visitor' ? 'ERR-INVALID-SESSION' : 'ERR-CONDUIT-CORE';
      return { allowed: body.error_code === null, refused: body.error_code === refusal, detail: `${body.error_code}: ${body.error_info}` };
    },
  };
}

const phidOf = (u: User) => (u as unknown as { phid: string }).phid;
const selfPhid = (c: Ctx, who: Who) => (who === 'visitor' ? 'PHID-USER-nobody' : phidOf(c.users[who]));
const editForm = (id: string) => `/maniphest/task/edit/${id}/`;
const taskAction = (action: string) => (id: string) => `/T${id}/${action}`;
const account = (c: Ctx) => c.account().then((u) => u.username);

const PROBES: Record<Capability, CapabilityProbe> = {
  'task.create': {
    web: [form('the create form', noSubject, () => '/maniphest/task/edit/', { title: 'Filed by a probe' })],
    api: [edit('creating a task', () => [{ type: 'title', value: 'Filed by a probe' }], false), legacy('maniphest.createtask', { title: 'Filed by a probe' })],
  },
  'task.edit': {
    web: [form('renaming in the edit form', newTask, editForm, { title: 'Renamed by a probe' }), form('the description in the edit form', newTask, editForm, { description: 'Rewritten.' })],
    api: [
      edit('title', () => [{ type: 'title', value: 'Renamed by a probe' }]),
      edit('description', () => [{ type: 'description', value: 'Rewritten.' }]),
      legacy('maniphest.update', { title: 'Renamed by a probe' }),
    ],
  },
  'task.triage': {
    web: [
      form('the priority in the edit form', newTask, editForm, { priority: 'high' }),
      form('the priority in the comment form', newTask, taskAction('comment'), { comment: '', priority: 'low' }),
      form('assigning someone else in the comment form', newTask, taskAction('comment'), { comment: '', owner: 'bystander' }),
    ],
    api: [
      edit('priority', () => [{ type: 'priority', value: 'high' }]),
      edit('owner (someone else)', (c) => [{ type: 'owner', value: phidOf(c.users.reader) }]),
      legacy('maniphest.update', { priority: 80 }),
    ],
  },
  'task.claim': {
    web: [form('Claim', newTask, taskAction('claim'), {})],
    api: [edit('owner (oneself)', (c, who) => [{ type: 'owner', value: selfPhid(c, who) }])],
  },
  'task.comment': {
    web: [form('a comment', newTask, taskAction('comment'), { comment: 'A probe was here.' })],
    api: [edit('comment', () => [{ type: 'comment', value: 'A probe was here.' }]), legacy('maniphest.update', { comments: 'A probe was here.' })],
  },
  'task.subscribe': {
    web: [form('Subscribe', newTask, taskAction('subscribe'), { action: 'subscribe' })],
    api: [edit('subscribers.add (oneself)', (c, who) => [{ type: 'subscribers.add', value: [selfPhid(c, who)] }])],
  },
  'task.close': {
    web: [form('closing in the comment form', newTask, taskAction('comment'), { comment: '', status: 'resolved' }), form('closing in the edit form', newTask, editForm, { status: 'wontfix' })],
    api: [edit('status', () => [{ type: 'status', value: 'resolved' }]), legacy('maniphest.update', { status: 'resolved' })],
  },
  'task.visibility': {
    web: [form('the visibility in the edit form', newTask, editForm, { view: 'users' })],
    api: [edit('view', () => [{ type: 'view', value: 'users' }]), legacy('maniphest.update', { viewPolicy: 'users' })],
  },
  'task.bulk': {
    web: [form('a bulk edit', newTask, () => '/maniphest/bulk/', { scope: 'all', query: 'text=nothingmatchesthis', priority: 'high', back: '/maniphest/' })],
    api: { none: 'Conduit has no bulk edit: a script edits each task with maniphest.edit, under task.edit and task.triage' },
  },
  'users.manage': {
    web: [
      form('changing a role', account, (u) => `/people/${u}/role`, { role: 'engineer' }),
      form('disabling an account', account, (u) => `/people/${u}/disable`, { disabled: 'true' }),
    ],
    api: { none: 'Conduit has no method that manages accounts' },
  },
  'project.create': {
    // Each attempt names its own project: a second one of the same name would be refused for its hashtag.
    web: [form('the project form', async () => `Probe ${++probeProjects}`, () => '/project/edit/', {}, (name) => ({ name }))],
    api: [
      {
        name: 'api: project.edit creating a project',
        setup: noSubject,
        async run(c, who) {
          const name = `Probe ${Math.random().toString(36).slice(2, 10)}`;
          const body = await call(c.app, 'project.edit', { transactions: [{ type: 'name', value: name }] }, c.tokens[who]);
          const refusal = who === 'visitor' ? 'ERR-INVALID-SESSION' : 'ERR-CONDUIT-CORE';
          return { allowed: body.error_code === null, refused: body.error_code === refusal, detail: `${body.error_code}: ${body.error_info}` };
        },
      },
    ],
  },
  'comment.moderate': {
    web: [
      form("editing someone else's comment", (c) => c.comment(), (s) => `/T${s}/edit`, { comment: 'Moderated by a probe.' }),
      form("removing someone else's comment", (c) => c.comment(), (s) => `/T${s}/remove`, {}),
    ],
    api: { none: 'Conduit has no method that edits or removes comments, as in Phabricator' },
  },
  'mail.manage': {
    web: [form('retrying a message', (c) => c.message().then(String), (id) => `/mail/${id}/retry`, {})],
    api: { none: 'Conduit has no method that reads or sends mail' },
  },
};

/** Tables an API call writes whatever it does: the token's last use and its rate-limit counter. */
const BOOKKEEPING = new Set(['api_tokens', 'api_rate_limits']);


const cases = CAPABILITIES.flatMap((capability) => {
  const p = PROBES[capability];
  return [...p.web, ...('none' in p.api ? [] : p.api)].flatMap((attempt) =>
    WHO.map((who) => ({ capability, who, attempt, verdict: can(who === 'visitor' ? null : { id: 0, username: who, role: who }, capability) ? 'may' : 'may not' })),
  );
});

describe('every capability, for every role, on the web and the API', () => {
  const t = useTestApp();
  const ctx = {} as Ctx;
  let seq = 0;

  beforeAll(async () => {
    ctx.app = t.app;
    ctx.users = {} as Ctx['users'];
    for (const role of ROLES) ctx.users[role] = await createUser(t.db, { username: role, role });
    const author = await createUser(t.db, { username: 'author', role: 'admin' });
    await createUser(t.db, { username: 'bystander', role: 'engineer' });
    ctx.browsers = { visitor: new Browser(t.app) } as Ctx['browsers'];
    ctx.tokens = { visitor: null } as Ctx['tokens'];
    for (const role of ROLES) {
      ctx.browsers[role] = await loggedIn(t.app, role);
      ctx.tokens[role] = await tokenFor(t.db, ctx.users[role]);
    }
    ctx.csrf = {} as Ctx['csrf'];
    for (const who of WHO) ctx.csrf[who] = await ctx.browsers[who].csrf(tokenPage(who));
    ctx.task = () => createTask(t.domain, author, { title: 'Printer on fire', view: 'public' });
    ctx.account = () => createUser(t.db, { username: `account${++seq}`, role: 'reader' });
    ctx.comment = async () => {
      const id = await ctx.task();
      const { events } = await applyEdit(t.domain, author, id, [{ type: 'comment', value: 'Words of the author.' }]);
      return `${id}/comment/${events.find((e) => e.type === 'comment')!.id}`;
    };
    ctx.message = () => queueMail(t.db, { kind: 'test', to: ['someone@example.com'], subject: 'A probe', text: 'Probing.' });
  });

  test.each(cases)('$who $verdict $capability ($attempt.name)', async ({ who, attempt, verdict }) => {
    const subject = await attempt.setup(ctx);
    const before = await everyRow(t.db);
    const outcome = await attempt.run(ctx, who, subject);
    const written = changedTables(before, await everyRow(t.db), BOOKKEEPING);
    if (verdict === 'may') {
      expect(outcome).toMatchObject({ allowed: true });
      expect(written.length).toBeGreaterThan(0);
    } else {
      expect(outcome).toMatchObject({ refused: true });
      expect(written).toEqual([]);
    }
  });
});
