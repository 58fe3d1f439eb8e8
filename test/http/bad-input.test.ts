import { setDisabled } from '../../server/users/repository';
import type { User } from '../../server/users/user';
import { useTestApp } from '../support/app';
import { createTask, createUser } from '../support/factories';
import { Browser, fieldError, formValues, loggedIn, textOf, type Page } from '../support/http';

const CREATE = '/maniphest/task/edit/';
const TASK_FORM = 'form.task-form';
const COMMENT_FORM = 'form.comment-form';
const CSRF_MESSAGE = 'This form has expired or did not come from this site. Reload the page and submit it again.';

/**
 * Bad input of every kind gets a clear 4xx, never a 500 (useTestApp fails a
 * test whose request logged an error), shows its problem beside the field with
 * what was typed kept, and writes nothing at all.
 */
describe('bad input', () => {
  const t = useTestApp();
  let eve: Browser;
  let mo: Browser;
  let author: User;
  let taskId: number;

  beforeAll(async () => {
    author = await createUser(t.db, { username: 'eve', role: 'engineer' });
    await createUser(t.db, { username: 'mo', role: 'maintainer' });
    const dora = await createUser(t.db, { username: 'dora', role: 'engineer' });
    await setDisabled(t.db, dora.id, true);
    [eve, mo] = await Promise.all([loggedIn(t.app, 'eve'), loggedIn(t.app, 'mo')]);
    taskId = await createTask(t.domain, author, { title: 'Existing task', description: 'As it was.', priority: 'normal' });
  });

  const count = async (table: string) => Number((await t.db(table).count({ n: '*' }).first())!.n);
  const rowCounts = async () => ({ tasks: await count('tasks'), events: await count('task_events'), subscribers: await count('task_subscribers') });
  const taskRow = () => t.db('tasks').where({ id: taskId }).first();

  /** Runs a request and checks that the database is exactly as before it. */
  async function writesNothing(request: () => Promise<Page>): Promise<Page> {
    const [counts, row] = [await rowCounts(), await taskRow()];
    const page = await request();
    expect(await rowCounts()).toEqual(counts);
    expect(await taskRow()).toEqual(row);
    return page;
  }

  const withoutRequestId = (page: Page) => page.text.replace(/Request [0-9a-f-]{36}/, '');
  const errorsOn = (page: Page) => page.dom.querySelectorAll('.field-error').map((e) => textOf(e));

  describe('the create form', () => {
    const typed = { title: 'A new task', description: 'What I typed\nover two lines.', priority: 'high', owner: 'mo' };

    test.each([
      ['an empty title', { title: '   ' }, 'title', 'Tasks must have a title.'],
      ['a 256-character title', { title: 'x'.repeat(256) }, 'title', 'Task titles are at most 255 characters.'],
      ['a missing title', { title: undefined }, 'title', 'Tasks must have a title.'],
      ['an unknown owner', { owner: 'nobody' }, 'owner', 'There is no user named "nobody".'],
      ['a disabled owner', { owner: 'dora' }, 'owner', 'The account "dora" is disabled.'],
    ])('%s is refused beside its field, with the typed input kept', async (_what, change, field, message) => {
      const fields = Object.fromEntries(Object.entries({ ...typed, ...change }).filter(([, v]) => v !== undefined)) as Record<string, string>;
      const page = await writesNothing(() => eve.post(CREATE, fields, CREATE));
      expect(page.status).toBe(422);
      expect(fieldError(page, field, TASK_FORM)).toBe(message);
      expect(errorsOn(page)).toEqual([message]);
      const kept = formValues(page, TASK_FORM);
      expect(kept).toMatchObject({ title: fields.title ?? '', description: typed.description, priority: 'high', owner: fields.owner });
    });

    test('an unknown priority is refused beside the priority, the rest kept', async () => {
      const page = await writesNothing(() => eve.post(CREATE, { ...typed, priority: 'urgent' }, CREATE));
      expect(page.status).toBe(422);
      expect(fieldError(page, 'priority', TASK_FORM)).toBe('"urgent" is not a valid priority. Use a priority keyword: unbreak, triage, high, normal, low, wish.');
      expect(formValues(page, TASK_FORM)).toMatchObject({ title: typed.title, description: typed.description, owner: 'mo' });
    });

    test.each([
      ['an unknown status', 'status', 'closed', '"closed" is not a valid status. Choose one of: open, resolved, wontfix, invalid.'],
      ['the reserved status', 'status', 'duplicate', '"duplicate" is not a valid status. Choose one of: open, resolved, wontfix, invalid.'],
      ['an unknown visibility', 'view', 'everyone', '"everyone" is not a visibility. Choose one of: public, users, maintainers.'],
    ])('%s is refused beside its picker', async (_what, field, value, message) => {
      const page = await writesNothing(() => mo.post(CREATE, { ...typed, [field]: value }, CREATE));
      expect(page.status).toBe(422);
      expect(fieldError(page, field, TASK_FORM)).toBe(message);
      expect(formValues(page, TASK_FORM)).toMatchObject({ title: typed.title, description: typed.description, owner: 'mo' });
    });

    test('every problem of one submission is shown at once, each beside its own field', async () => {
      const page = await writesNothing(() => mo.post(CREATE, { title: '', description: 'Kept.', priority: 'urgent', owner: 'nobody', status: 'closed', view: 'everyone' }, CREATE));
      expect(page.status).toBe(422);
      expect(fieldError(page, 'title', TASK_FORM)).toBe('Tasks must have a title.');
      expect(fieldError(page, 'priority', TASK_FORM)).toMatch(/^"urgent" is not a valid priority\./);
      expect(fieldError(page, 'owner', TASK_FORM)).toBe('There is no user named "nobody".');
      expect(fieldError(page, 'status', TASK_FORM)).toMatch(/^"closed" is not a valid status\./);
      expect(fieldError(page, 'view', TASK_FORM)).toMatch(/^"everyone" is not a visibility\./);
      expect(formValues(page, TASK_FORM)).toMatchObject({ description: 'Kept.', owner: 'nobody' });
    });

    test('a field sent twice is refused beside it, the other fields kept', async () => {
      const page = await writesNothing(() => eve.post(CREATE, { ...typed, title: ['One title', 'Another title'] }, CREATE));
      expect(page.status).toBe(422);
      expect(fieldError(page, 'title', TASK_FORM)).toBe('Send this field once, as text.');
      expect(formValues(page, TASK_FORM)).toMatchObject({ description: typed.description, priority: 'high', owner: 'mo' });
    });

    test('a description over the text limit is refused beside it, the text kept', async () => {
      const description = 'a'.repeat(262145);
      const page = await writesNothing(() => eve.post(CREATE, { ...typed, description }, CREATE));
      expect(page.status).toBe(413);
      expect(fieldError(page, 'description', TASK_FORM)).toBe('This text is too long: at most 262144 characters.');
      expect(formValues(page, TASK_FORM)).toMatchObject({ title: typed.title, description });
    });

    test('the typed input is kept exactly, markup and quotes included', async () => {
      const title = `  <b>"Quoted" & 'odd'</b>  `;
      const description = '<script>alert(1)</script>\n& "more"';
      const page = await writesNothing(() => eve.post(CREATE, { title, description, owner: '"><i>' }, CREATE));
      expect(page.status).toBe(422);
      expect(formValues(page, TASK_FORM)).toMatchObject({ title, description, owner: '"><i>' });
      expect(page.dom.querySelector(`${TASK_FORM} i`)).toBeNull();
      expect(page.html).not.toContain('<script>alert(1)');
    });
  });

  describe('the edit form', () => {
    const editUrl = () => `/maniphest/task/edit/${taskId}/`;

    test.each([
      ['an empty title', { title: '' }, 'title', 'Tasks must have a title.'],
      ['a 256-character title', { title: 'é'.repeat(256) }, 'title', 'Task titles are at most 255 characters.'],
      ['an unknown priority', { priority: 'p1' }, 'priority', '"p1" is not a valid priority. Use a priority keyword: unbreak, triage, high, normal, low, wish.'],
      ['an unknown owner', { owner: '@ghost' }, 'owner', 'There is no user named "@ghost".'],
    ])('%s is refused and nothing of the save is written', async (_what, change, field, message) => {
      const loaded = formValues(await eve.get(editUrl()), TASK_FORM);
      const fields: Record<string, string> = { ...loaded, description: 'A better description.', ...change };
      const page = await writesNothing(() => eve.postRaw(editUrl(), fields));
      expect(page.status).toBe(422);
      expect(fieldError(page, field, TASK_FORM)).toBe(message);
      // A picker cannot show a choice it does not offer; every other field is kept as typed.
      const { [field]: _refused, ...others } = fields;
      expect(formValues(page, TASK_FORM)).toMatchObject(field === 'priority' ? others : fields);
    });

    test('a malformed form version is refused with a message the person can see', async () => {
      const loaded = formValues(await eve.get(editUrl()), TASK_FORM);
      const page = await writesNothing(() => eve.postRaw(editUrl(), { ...loaded, title: 'Renamed', version: 'abc' }));
      expect(page.status).toBe(422);
      expect(errorsOn(page)).toEqual(['The form version is malformed; reload the page.']);
      expect(formValues(page, TASK_FORM).title).toBe('Renamed');
    });
  });

  describe('task numbers', () => {
    test('malformed ones answer exactly like a task that does not exist', async () => {
      const missing = await eve.get('/T2000000000');
      expect(missing.status).toBe(404);
      for (const bad of ['0', '01', 'abc', '99999999999999999999', '2147483648', '-1', '1.0', '1e3', `${taskId}x`]) {
        for (const path of [`/T${bad}`, `/maniphest/task/edit/${bad}/`]) {
          const page = await eve.get(path);
          expect({ path, status: page.status, text: withoutRequestId(page) }).toEqual({ path, status: 404, text: withoutRequestId(missing) });
        }
      }
    });

    test('posting to a malformed one is not found either, and writes nothing', async () => {
      for (const bad of ['0', `0${taskId}`, 'abc', '99999999999999999999']) {
        const comment = await writesNothing(() => eve.post(`/T${bad}/comment`, { comment: 'Hello?' }, `/T${taskId}`));
        expect(comment.status).toBe(404);
        const saved = await writesNothing(() => eve.post(`/maniphest/task/edit/${bad}/`, { title: 'Hello?' }, CREATE));
        expect(saved.status).toBe(404);
      }
    });
  });

  describe('CSRF tokens', () => {
    test.each([
      ['missing', undefined],
      ['wrong', 'not-the-token'],
      ['empty', ''],
    ])('a %s token is refused with the typed text shown, nothing written', async (_what, token) => {
      const fields: Record<string, string> = { title: 'Forged task', description: 'Forged text.' };
      if (token !== undefined) fields.__csrf__ = token;
      const page = await writesNothing(() => eve.postRaw(CREATE, fields));
      expect(page.status).toBe(403);
      expect(page.dom.querySelector('.message')!.textContent).toBe(CSRF_MESSAGE);
      expect(page.dom.querySelectorAll('.kept textarea').map((e) => e.textContent)).toEqual(['Forged task', 'Forged text.']);

      const comment = await writesNothing(() => eve.postRaw(`/T${taskId}/comment`, { ...(token === undefined ? {} : { __csrf__: token }), comment: 'Forged comment.' }));
      expect(comment.status).toBe(403);
      expect(comment.dom.querySelectorAll('.kept textarea').map((e) => e.textContent)).toEqual(['Forged comment.']);
    });

    test("another person's token is refused", async () => {
      const mos = await mo.csrf(CREATE);
      const page = await writesNothing(() => eve.postRaw(CREATE, { __csrf__: mos, title: 'Borrowed token' }));
      expect(page.status).toBe(403);
      expect(page.dom.querySelector('.message')!.textContent).toBe(CSRF_MESSAGE);
    });
  });

  test('a body over 1 MB is refused with 413', async () => {
    const page = await writesNothing(() => eve.post(CREATE, { title: 'Huge', description: 'x'.repeat(1024 * 1024 + 1) }, CREATE));
    expect(page.status).toBe(413);
    expect(page.dom.querySelector('.message')!.textContent).toBe('That submission is too large: the limit is 1 MB.');
  });

  describe('the comment form', () => {
    test.each([['an empty comment', ''], ['a comment of only spaces and newlines', '  \r\n  ']])('%s is refused beside the comment box', async (_what, comment) => {
      const page = await writesNothing(() => eve.post(`/T${taskId}/comment`, { comment }, `/T${taskId}`));
      expect(page.status).toBe(422);
      expect(fieldError(page, 'comment', COMMENT_FORM)).toBe('You can not post an empty comment.');
    });

    test('a bad action is refused beside its picker, and the comment is neither posted nor lost', async () => {
      const page = await writesNothing(() => eve.post(`/T${taskId}/comment`, { comment: 'Handing this over.', owner: 'nobody', priority: 'urgent' }, `/T${taskId}`));
      expect(page.status).toBe(422);
      expect(fieldError(page, 'owner', COMMENT_FORM)).toBe('There is no user named "nobody".');
      expect(fieldError(page, 'priority', COMMENT_FORM)).toMatch(/^"urgent" is not a valid priority\./);
      expect(formValues(page, COMMENT_FORM)).toMatchObject({ comment: 'Handing this over.', owner: 'nobody' });
    });

    test('a maintainer choosing an unknown status sees it beside the status picker', async () => {
      const page = await writesNothing(() => mo.post(`/T${taskId}/comment`, { comment: 'Closing.', status: 'fixed' }, `/T${taskId}`));
      expect(page.status).toBe(422);
      expect(fieldError(page, 'status', COMMENT_FORM)).toBe('"fixed" is not a valid status. Choose one of: open, resolved, wontfix, invalid.');
      expect(formValues(page, COMMENT_FORM).comment).toBe('Closing.');
    });
  });

  describe('a role that may not do the action', () => {
    test('a reader may not create a task, and what they typed is shown', async () => {
      await createUser(t.db, { username: 'rita', role: 'reader' });
      const rita = await loggedIn(t.app, 'rita');
      expect((await rita.get(CREATE)).status).toBe(403);
      const page = await writesNothing(() => rita.post(CREATE, { title: 'Reader task', description: 'Please.' }));
      expect(page.status).toBe(403);
      expect(page.dom.querySelector('.message')!.textContent).toBe('You do not have permission to create tasks.');
      expect(page.dom.querySelectorAll('.kept textarea').map((e) => e.textContent)).toEqual(['Reader task', 'Please.']);
    });

    // A refused control is not on that person's form, so the refusal is a page of its own that keeps what they typed.
    test('a reader may not comment, and is told so with the comment kept', async () => {
      const rita = await loggedIn(t.app, 'rita');
      const page = await writesNothing(() => rita.post(`/T${taskId}/comment`, { comment: 'Me too.' }, `/T${taskId}`));
      expect(page.status).toBe(403);
      expect(page.dom.querySelector('.message')!.textContent).toBe('You do not have permission to comment on this task.');
      expect(page.dom.querySelectorAll('.kept textarea').map((e) => e.textContent)).toEqual(['Me too.']);
    });

    test('an engineer may not close a task from the comment form, and the comment is kept', async () => {
      const page = await writesNothing(() => eve.post(`/T${taskId}/comment`, { comment: 'Done, I think.', status: 'resolved' }, `/T${taskId}`));
      expect(page.status).toBe(403);
      expect(page.dom.querySelector('.message')!.textContent).toBe('You do not have permission to change the status of this task.');
      expect(page.dom.querySelectorAll('.kept textarea').map((e) => e.textContent)).toEqual(['Done, I think.']);
    });

    test('an engineer may not change the status or visibility through the edit form', async () => {
      const editUrl = `/maniphest/task/edit/${taskId}/`;
      const loaded = formValues(await eve.get(editUrl), TASK_FORM);
      expect(loaded.status).toBeUndefined();
      expect(loaded.view).toBeUndefined();
      const page = await writesNothing(() => eve.postRaw(editUrl, { ...loaded, title: 'Renamed too', status: 'resolved', view: 'public' }));
      expect(page.status).toBe(403);
      expect(page.dom.querySelector('.message')!.textContent).toBe(
        'You do not have permission to change the status of this task. You do not have permission to change the visibility of this task.',
      );
      expect(page.dom.querySelectorAll('.kept textarea').map((e) => e.textContent)).toEqual(['Renamed too', 'As it was.']);
    });

    test('a bad value for a control the person does not have is still shown to them', async () => {
      const editUrl = `/maniphest/task/edit/${taskId}/`;
      const loaded = formValues(await eve.get(editUrl), TASK_FORM);
      const edited = await writesNothing(() => eve.postRaw(editUrl, { ...loaded, title: 'Renamed', status: 'fixed' }));
      expect(edited.status).toBe(422);
      expect(errorsOn(edited)).toEqual(['"fixed" is not a valid status. Choose one of: open, resolved, wontfix, invalid.']);
      expect(formValues(edited, TASK_FORM).title).toBe('Renamed');

      const commented = await writesNothing(() => eve.post(`/T${taskId}/comment`, { comment: 'Kept.', status: 'fixed' }, `/T${taskId}`));
      expect(commented.status).toBe(422);
      expect(errorsOn(commented)).toEqual(['"fixed" is not a valid status. Choose one of: open, resolved, wontfix, invalid.']);
      expect(formValues(commented, COMMENT_FORM).comment).toBe('Kept.');

      const rita = await loggedIn(t.app, 'rita');
      const read = await writesNothing(() => rita.post(`/T${taskId}/comment`, { comment: 'Me too.', priority: 'urgent' }, `/T${taskId}`));
      expect(read.status).toBe(422);
      expect(errorsOn(read)).toEqual(['"urgent" is not a valid priority. Use a priority keyword: unbreak, triage, high, normal, low, wish.']);
    });

    test('a visitor who is not logged in may not post, and is asked to log in', async () => {
      const visitor = new Browser(t.app);
      const page = await writesNothing(() => visitor.post(`/T${taskId}/comment`, { comment: 'Anonymous.' }, '/login'));
      expect(page.status).toBe(403);
      expect(page.dom.querySelector('.message')!.textContent).toBe('You must log in to do that.');
      const create = await writesNothing(() => visitor.post(CREATE, { title: 'Anonymous task' }, '/login'));
      expect(create.status).toBe(403);
    });
  });
});
