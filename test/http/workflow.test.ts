import { buildTrackerConfig } from '../../server/tracker-config';
import { applyEdit } from '../../server/tasks/editor';
import { queueBulkEdit } from '../../server/tasks/bulk';
import { listTargets } from '../../server/tasks/bulk-repository';
import type { WorkflowFile } from '../../server/tasks/workflow';
import type { User } from '../../server/users/user';
import { queueRefusal } from '../../server/mail/inbound/refusal';
import { useTestApp } from '../support/app';
import { deliver, startInbound, takeInboundLog } from '../support/inbound';
import { bulkEdit, bulkFields } from '../support/bulk';
import { call, tokenFor } from '../support/conduit';
import { createTask, createUser } from '../support/factories';
import { Browser, fieldError, formValues, loggedIn, textOf, type Page } from '../support/http';

/**
 * The workflow rules of the configuration, on every way of editing a task:
 * the task page, the edit form, Conduit (maniphest.edit and maniphest.update),
 * bulk edit and reply-by-mail's source, all through the one editor.
 */

const WORKFLOW: WorkflowFile = {
  transitions: [
    { from: ['open'], to: ['resolved'], roles: ['maintainer'] },
    { from: ['open'], to: ['invalid', 'wontfix'], roles: ['engineer', 'maintainer'] },
    { from: ['resolved', 'invalid'], to: ['open'], roles: ['maintainer'] },
  ],
  comments: { wontfix: 'Closing as Wontfix needs a comment saying why.' },
  locked: ['wontfix'],
};

const ONLY_MAINTAINERS_RESOLVE = 'Only Maintainer or Administrator may move a task from Open to Resolved (see /config/workflow/).';
const LOCKED = 'This task is locked: only maintainers can edit or comment on it until it is reopened.';

const options = (page: Page, selector: string) => page.dom.querySelectorAll(`${selector} option`).map((o) => o.getAttribute('value'));

describe('workflow rules', () => {
  const t = useTestApp({ tracker: buildTrackerConfig({ workflow: WORKFLOW }) });
  const users = {} as Record<'erin' | 'mia' | 'ada' | 'rita', User>;
  let erin: Browser;
  let mia: Browser;
  let ada: Browser;

  beforeAll(async () => {
    users.erin = await createUser(t.db, { username: 'erin', role: 'engineer' });
    users.mia = await createUser(t.db, { username: 'mia', role: 'maintainer' });
    users.ada = await createUser(t.db, { username: 'ada', role: 'admin' });
    users.rita = await createUser(t.db, { username: 'rita', role: 'reader' });
    [erin, mia, ada] = await Promise.all([loggedIn(t.app, 'erin'), loggedIn(t.app, 'mia'), loggedIn(t.app, 'ada')]);
  });

  const statusOf = async (id: number) => (await t.db('tasks').where({ id }).first('status')).status as string;
  const eventCount = async (id: number) => Number((await t.db('task_events').where({ task_id: id }).count<{ n: string }[]>({ n: '*' }))[0]!.n);
  /** A task closed as Wontfix, with the comment that needs. */
  const wontfixTask = async (title: string) => {
    const id = await createTask(t.domain, users.mia, { title });
    await applyEdit(t.domain, users.mia, id, [
      { type: 'status', value: 'wontfix' },
      { type: 'comment', value: 'Works as designed.' },
    ]);
    return id;
  };

  describe('on the task page', () => {
    test("the status picker offers only the moves the person's role may make", async () => {
      const id = await createTask(t.domain, users.erin, { title: 'Printer jams' });
      expect(options(await erin.get(`/T${id}`), 'form#comment select[name="status"]')).toEqual(['', 'wontfix', 'invalid']);
      expect(options(await mia.get(`/T${id}`), 'form#comment select[name="status"]')).toEqual(['', 'resolved', 'wontfix', 'invalid']);
      // A reader may move nothing: no status control at all.
      const reader = await loggedIn(t.app, 'rita');
      expect((await reader.get(`/T${id}`)).dom.querySelector('select[name="status"]')).toBeNull();
    });

    test('an engineer closes as Invalid; a forged Resolved is refused beside the status, the comment kept, nothing written', async () => {
      const id = await createTask(t.domain, users.erin, { title: 'Scanner offline' });
      const url = `/T${id}`;
      const before = await eventCount(id);
      const refused = await erin.post(`${url}/comment`, { ...formValues(await erin.get(url), 'form#comment'), comment: 'Fixed it myself.', status: 'resolved' }, url);
      expect(refused.status).toBe(403);
      expect(fieldError(refused, 'status', 'form#comment')).toBe(ONLY_MAINTAINERS_RESOLVE);
      expect(refused.dom.querySelector('form#comment textarea[name="comment"]')!.textContent).toBe('Fixed it myself.');
      expect(await statusOf(id)).toBe('open');
      expect(await eventCount(id)).toBe(before);

      expect((await erin.post(`${url}/comment`, { comment: 'Not a bug.', status: 'invalid' }, url)).status).toBe(303);
      expect(await statusOf(id)).toBe('invalid');
      // Reopening Invalid is for maintainers.
      const reopen = await erin.post(`${url}/comment`, { comment: '', status: 'open' }, url);
      expect(reopen.status).toBe(403);
      // Engineers have no status control on an Invalid task, so the refusal is shown with the form's other errors.
      expect(reopen.dom.querySelector('form#comment select[name="status"]')).toBeNull();
      expect(reopen.text).toContain('Only Maintainer or Administrator may move a task from Invalid to Open (see /config/workflow/).');
    });

    test('closing as Wontfix without a comment is refused beside the comment box; with one it closes', async () => {
      const id = await createTask(t.domain, users.erin, { title: 'Fax support' });
      const url = `/T${id}`;
      const refused = await erin.post(`${url}/comment`, { comment: '  ', status: 'wontfix' }, url);
      expect(refused.status).toBe(422);
      expect(fieldError(refused, 'comment', 'form#comment')).toBe('Closing as Wontfix needs a comment saying why.');
      expect(await statusOf(id)).toBe('open');
      expect((await erin.post(`${url}/comment`, { comment: 'Nobody faxes.', status: 'wontfix' }, url)).status).toBe(303);
      expect(await statusOf(id)).toBe('wontfix');
    });
  });

  describe('a locked task', () => {
    test('shows why, takes no edits or comments from engineers, still lets them subscribe', async () => {
      const id = await wontfixTask('Old printer driver');
      const url = `/T${id}`;
      const page = await erin.get(url);
      expect(textOf(page.dom.querySelector('.locked-note')!)).toBe(`${LOCKED} Workflow rules`);
      expect(page.dom.querySelector('form#comment')).toBeNull();
      expect(page.dom.querySelector(`a[href="/maniphest/task/edit/${id}/"]`)).toBeNull();
      expect(page.dom.querySelector(`a[href="/search/rel/task.has-parent/${id}/"]`)).toBeNull();
      expect((await mia.get(url)).dom.querySelector(`a[href="/search/rel/task.has-parent/${id}/"]`)).not.toBeNull();

      const before = await eventCount(id);
      const comment = await erin.post(`${url}/comment`, { comment: 'Still broken for me.' }, url);
      expect(comment.status).toBe(403);
      expect(comment.text).toContain(LOCKED);
      const edit = await erin.post(`/maniphest/task/edit/${id}/`, { title: 'Renamed', description: '' }, `/maniphest/task/edit/${id}/`);
      expect(edit.status).toBe(403);
      expect(edit.text).toContain(LOCKED);
      expect(await eventCount(id)).toBe(before);

      expect((await erin.post(`${url}/subscribe`, { action: 'subscribe' }, url)).status).toBe(303);
      expect(await t.db('task_subscribers').where({ task_id: id, user_id: users.erin.id }).first()).toBeTruthy();
    });

    test('maintainers comment on it; only an admin may reopen Wontfix', async () => {
      const id = await wontfixTask('Legacy fax gateway');
      const url = `/T${id}`;
      expect((await mia.post(`${url}/comment`, { comment: 'Keeping this closed.' }, url)).status).toBe(303);
      // No move out of Wontfix is a maintainer's.
      expect((await mia.get(url)).dom.querySelector('form#comment select[name="status"]')).toBeNull();
      const reopen = await mia.post(`${url}/comment`, { comment: 'Reopening.', status: 'open' }, url);
      expect(reopen.status).toBe(403);
      expect(reopen.text).toContain('Only Administrator may move a task from Wontfix to Open (see /config/workflow/).');
      expect((await ada.post(`${url}/comment`, { comment: 'Reopening after all.', status: 'open' }, url)).status).toBe(303);
      expect(await statusOf(id)).toBe('open');
      // Reopened, it is no longer locked.
      expect((await erin.post(`${url}/comment`, { comment: 'Thanks.' }, url)).status).toBe(303);
    });
  });

  test('the edit form offers the same choices and refuses a forged status beside the field, keeping what was typed', async () => {
    const id = await createTask(t.domain, users.erin, { title: 'Toner low' });
    const url = `/maniphest/task/edit/${id}/`;
    const form = await erin.get(url);
    expect(options(form, 'select[name="status"]')).toEqual(['open', 'wontfix', 'invalid']);
    const refused = await erin.post(url, { ...formValues(form, 'form.task-form'), title: 'Toner empty', status: 'resolved' }, url);
    expect(refused.status).toBe(403);
    expect(fieldError(refused, 'status')).toBe(ONLY_MAINTAINERS_RESOLVE);
    expect(refused.dom.querySelector('input[name="title"]')!.getAttribute('value')).toBe('Toner empty');
    expect(await statusOf(id)).toBe('open');
  });

  describe('through Conduit', () => {
    test('maniphest.edit obeys transitions, comments and locks, each refused with its sentence', async () => {
      const token = await tokenFor(t.db, users.erin);
      const id = await createTask(t.domain, users.erin, { title: 'API task' });
      const edit = (transactions: unknown[], objectIdentifier: unknown = id) => call(t.app, 'maniphest.edit', { objectIdentifier, transactions }, token);

      expect(await edit([{ type: 'status', value: 'resolved' }])).toEqual({ result: null, error_code: 'ERR-CONDUIT-CORE', error_info: ONLY_MAINTAINERS_RESOLVE });
      expect(await edit([{ type: 'status', value: 'wontfix' }])).toEqual({ result: null, error_code: 'ERR-CONDUIT-CORE', error_info: 'Closing as Wontfix needs a comment saying why.' });
      expect(await statusOf(id)).toBe('open');
      expect((await edit([{ type: 'status', value: 'wontfix' }, { type: 'comment', value: 'Out of scope.' }])).error_code).toBeNull();
      expect(await statusOf(id)).toBe('wontfix');
      expect(await edit([{ type: 'comment', value: 'One more thing.' }])).toEqual({ result: null, error_code: 'ERR-CONDUIT-CORE', error_info: LOCKED });
    });

    test('maniphest.update, the older method, obeys them too', async () => {
      const token = await tokenFor(t.db, users.erin, 'legacy');
      const id = await createTask(t.domain, users.erin, { title: 'Legacy API task' });
      expect(await call(t.app, 'maniphest.update', { id, status: 'resolved' }, token)).toEqual({ result: null, error_code: 'ERR-CONDUIT-CORE', error_info: ONLY_MAINTAINERS_RESOLVE });
      expect((await call(t.app, 'maniphest.update', { id, status: 'invalid', comments: 'Duplicate report.' }, token)).error_code).toBeNull();
      expect(await statusOf(id)).toBe('invalid');
    });
  });

  describe('in bulk edits', () => {
    test('the picker leaves out what needs a comment; each task is checked from its own status', async () => {
      const author = await createUser(t.db, { username: 'bulkauthor', role: 'engineer' });
      const open = await createTask(t.domain, author, { title: 'Bulk open' });
      const invalid = await createTask(t.domain, author, { title: 'Bulk invalid' });
      await applyEdit(t.domain, users.mia, invalid, [{ type: 'status', value: 'invalid' }]);
      const from = '/maniphest/query/?authors=bulkauthor';
      const list = await mia.get(from);
      // Wontfix needs a comment, and the bulk form has none.
      expect(options(list, 'form#bulk-edit select[name="status"]')).toEqual(['', 'open', 'resolved', 'invalid']);

      const result = await bulkEdit(mia, bulkFields(list, { scope: 'selected', status: 'resolved' }, [open, invalid]), from);
      expect(result.dom.querySelectorAll('ul.changed li').map((li) => textOf(li))).toEqual([`T${open}`]);
      expect(result.dom.querySelectorAll('ul.refused li').map((li) => textOf(li))).toEqual([
        `T${invalid}: Only Administrator may move a task from Invalid to Resolved (see /config/workflow/).`,
      ]);
    });

    test('a forged status that needs a comment, and a locked task, are refused per task with the reason', async () => {
      const open = await createTask(t.domain, users.mia, { title: 'Bulk forged' });
      const locked = await wontfixTask('Bulk locked');
      const job = await queueBulkEdit(t.db, users.mia, [open], [{ type: 'status', value: 'wontfix' }], '/maniphest/');
      await t.deps.jobs.kick();
      expect(await listTargets(t.db, job)).toEqual([{ taskId: open, outcome: 'refused', reason: 'Closing as Wontfix needs a comment saying why.' }]);
      const lockedJob = await queueBulkEdit(t.db, users.erin, [locked], [{ type: 'priority', value: 'high' }], '/maniphest/');
      await t.deps.jobs.kick();
      expect(await listTargets(t.db, lockedJob)).toEqual([{ taskId: locked, outcome: 'refused', reason: LOCKED }]);
    });
  });

  test('a reply by mail goes through the same rules: a refused move, a missing comment and a locked task change nothing', async () => {
    const inbound = await startInbound(t, queueRefusal);
    try {
      const reply = async (id: number, text: string) => {
        const to = inbound.replyTo(id, users.erin.id);
        expect((await deliver(inbound.port, { envelope: { from: 'erin@example.com', to: [to] }, from: 'erin@example.com', to, subject: `Re: T${id}`, text })).ok).toBe(true);
        return takeInboundLog(t);
      };
      await t.db('users').where({ id: users.erin.id }).update({ email: 'erin@example.com' });
      const id = await createTask(t.domain, users.erin, { title: 'Mailed task' });
      const before = await eventCount(id);
      for (const [text, reason] of [
        ['!status resolved\n\nDone.', ONLY_MAINTAINERS_RESOLVE],
        ['!status wontfix', 'Closing as Wontfix needs a comment saying why.'],
      ]) {
        const log = await reply(id, text!);
        expect(log.map((l) => l.outcome)).toEqual(['refused']);
        expect(String(log[0]!.reason)).toContain(reason);
      }
      expect(await eventCount(id)).toBe(before);
      const locked = await wontfixTask('Mailed locked task');
      const log = await reply(locked, 'Any news?');
      expect(log.map((l) => l.outcome)).toEqual(['refused']);
      expect(String(log[0]!.reason)).toContain(LOCKED);
    } finally {
      await inbound.close();
    }
  });

  test('/config/workflow/ lists who may make each move, what needs a comment and what locks, for anyone', async () => {
    const page = await new Browser(t.app).get('/config/workflow/');
    expect(page.status).toBe(200);
    const row = (from: string) => page.dom.querySelectorAll('.workflow-table tbody tr').find((tr) => textOf(tr.querySelector('th')!) === from)!.querySelectorAll('td').map((td) => textOf(td));
    expect(page.dom.querySelectorAll('.workflow-table thead th').map((th) => textOf(th))).toEqual(['From \\ To', 'Open', 'Resolved', 'Wontfix', 'Invalid']);
    expect(row('Open')).toEqual(['—', 'Maintainer, Administrator', 'Engineer, Maintainer, Administrator', 'Engineer, Maintainer, Administrator']);
    expect(row('Wontfix')).toEqual(['Administrator', 'Administrator', '—', 'Administrator']);
    expect(page.dom.querySelectorAll('.workflow-comments dt, .workflow-comments dd').map((e) => textOf(e))).toEqual(['Wontfix', 'Closing as Wontfix needs a comment saying why.']);
    expect(page.text).toContain('Only Maintainers and Administrators can edit or comment on a task in Wontfix until it is reopened');
    // Signed in, the moves of one's own role are marked.
    const mine = await erin.get('/config/workflow/');
    expect(mine.dom.querySelectorAll('td.mine')).toHaveLength(2);
  });
});
