import type { User } from '../../server/users/user';
import { useTestApp } from '../support/app';
import { createTask, createUser } from '../support/factories';
import { fieldError, formValues, loggedIn, type Browser, type Page } from '../support/http';

const FORM = 'form.task-form';

describe('no lost edits: the edit form refuses to overwrite what someone else changed meanwhile', () => {
  const t = useTestApp();
  let alice: Browser;
  let bob: Browser;
  let carol: Browser;
  let author: User;

  beforeAll(async () => {
    author = await createUser(t.db, { username: 'author', role: 'engineer' });
    await createUser(t.db, { username: 'alice', role: 'engineer' });
    await createUser(t.db, { username: 'bob', role: 'engineer' });
    await createUser(t.db, { username: 'carol', role: 'engineer' });
    [alice, bob, carol] = await Promise.all(['alice', 'bob', 'carol'].map((name) => loggedIn(t.app, name)));
  });

  const editUrl = (id: number) => `/maniphest/task/edit/${id}/`;
  const taskRow = (id: number) => t.db('tasks').where({ id }).first();
  const eventCount = async (id: number) => Number((await t.db('task_events').where({ task_id: id }).count({ n: '*' }).first())!.n);
  const lastEventId = async (id: number) => Number((await t.db('task_events').where({ task_id: id }).max({ id: 'id' }).first())!.id);

  /** Opens the edit form and returns what it would submit, so a test changes only what a person would. */
  async function openForm(who: Browser, id: number): Promise<Record<string, string>> {
    const page = await who.get(editUrl(id));
    expect(page.status).toBe(200);
    return formValues(page, FORM);
  }

  const save = (who: Browser, id: number, fields: Record<string, string>): Promise<Page> => who.postRaw(editUrl(id), fields);

  test('the form carries the version it was loaded at', async () => {
    const id = await createTask(t.domain, author, { title: 'Versioned' });
    const fields = await openForm(alice, id);
    expect(fields.version).toBe(String(await lastEventId(id)));
    expect(fields.title).toBe('Versioned');
  });

  test('a second title change is refused with the newer title shown, the typed title kept and nothing written; saving again goes through', async () => {
    const id = await createTask(t.domain, author, { title: 'Original title', description: 'Steps to reproduce.', priority: 'normal' });
    const alices = await openForm(alice, id);
    const bobs = await openForm(bob, id);

    expect((await save(alice, id, { ...alices, title: 'Alice\'s "better" title' })).status).toBe(303);
    const afterAlice = await taskRow(id);
    const events = await eventCount(id);

    const refused = await save(bob, id, { ...bobs, title: 'Bob <title>', priority: 'high' });
    expect(refused.status).toBe(409);
    expect(fieldError(refused, 'title', FORM)).toBe(
      'Someone else changed this while you were editing; it is now "Alice\'s "better" title". Save again to replace it with yours.',
    );
    const kept = formValues(refused, FORM);
    expect(kept.title).toBe('Bob <title>');
    expect(kept.priority).toBe('high');
    expect(kept.description).toBe('Steps to reproduce.');
    // The whole submission is refused, the priority along with the title.
    expect(await taskRow(id)).toEqual(afterAlice);
    expect(await eventCount(id)).toBe(events);

    // The re-rendered form is at the newer version, so saving it again replaces Alice's title on purpose.
    expect(kept.version).toBe(String(await lastEventId(id)));
    const again = await save(bob, id, kept);
    expect(again.status).toBe(303);
    expect(again.location).toBe(`/T${id}`);
    expect(await taskRow(id)).toMatchObject({ title: 'Bob <title>', priority: 80 });
  });

  test('a save that changes only another field goes through and keeps the newer title', async () => {
    const id = await createTask(t.domain, author, { title: 'Shared title', priority: 'normal' });
    const alices = await openForm(alice, id);
    const bobs = await openForm(bob, id);

    expect((await save(alice, id, { ...alices, title: 'Alice renamed it' })).status).toBe(303);
    // Bob's form still holds the title as he loaded it: that is not a change of his.
    expect(bobs.title).toBe('Shared title');
    const saved = await save(bob, id, { ...bobs, priority: 'low' });
    expect(saved.status).toBe(303);
    expect(await taskRow(id)).toMatchObject({ title: 'Alice renamed it', priority: 25 });

    const types = (await t.db('task_events').where({ task_id: id }).orderBy('id')).map((e: { type: string }) => e.type);
    expect(types.slice(-2)).toEqual(['title', 'priority']);
  });

  test('comments posted meanwhile never conflict', async () => {
    const id = await createTask(t.domain, author, { title: 'Discussed', priority: 'normal' });
    const bobs = await openForm(bob, id);

    for (const comment of ['First thought.', 'Second thought.']) {
      expect((await carol.post(`/T${id}/comment`, { comment }, `/T${id}`)).status).toBe(303);
    }
    const saved = await save(bob, id, { ...bobs, title: 'Discussed at length', priority: 'high' });
    expect(saved.status).toBe(303);
    expect(await taskRow(id)).toMatchObject({ title: 'Discussed at length', priority: 80 });
  });

  test('closing a task meanwhile is kept when a maintainer saves a form loaded while it was open and unassigned', async () => {
    await createUser(t.db, { username: 'mia', role: 'maintainer' });
    await createUser(t.db, { username: 'max', role: 'maintainer' });
    const [mia, max] = await Promise.all(['mia', 'max'].map((name) => loggedIn(t.app, name)));
    const id = await createTask(t.domain, author, { title: 'Closed meanwhile' });
    const maxs = await openForm(max, id);
    expect(maxs).toMatchObject({ status: 'open', owner: '', view: 'users' });

    expect((await mia.post(`/T${id}/comment`, { comment: 'Fixed.', status: 'resolved' }, `/T${id}`)).status).toBe(303);
    expect((await max.postRaw(editUrl(id), { ...maxs, title: 'Closed meanwhile, renamed' })).status).toBe(303);
    const mias = (await t.db('users').where({ username: 'mia' }).first()).id;
    expect(await taskRow(id)).toMatchObject({ title: 'Closed meanwhile, renamed', status: 'resolved', owner_id: mias, closer_id: mias });
  });

  test('a priority changed meanwhile is refused with its newer name, the chosen priority kept', async () => {
    const id = await createTask(t.domain, author, { title: 'Prioritised', priority: 'normal' });
    const alices = await openForm(alice, id);
    const bobs = await openForm(bob, id);

    expect((await save(alice, id, { ...alices, priority: 'unbreak' })).status).toBe(303);
    const events = await eventCount(id);
    const refused = await save(bob, id, { ...bobs, priority: 'wish' });
    expect(refused.status).toBe(409);
    expect(fieldError(refused, 'priority', FORM)).toBe(
      'Someone else changed this while you were editing; it is now "Unbreak Now!". Save again to replace it with yours.',
    );
    expect(formValues(refused, FORM).priority).toBe('wish');
    expect(await eventCount(id)).toBe(events);
    expect((await taskRow(id)).priority).toBe(100);
  });

  test('a description changed meanwhile is shown above the box, with the typed text kept in it', async () => {
    const id = await createTask(t.domain, author, { title: 'Described', description: 'First draft.' });
    const alices = await openForm(alice, id);
    const bobs = await openForm(bob, id);

    expect((await save(alice, id, { ...alices, description: 'Alice wrote this.' })).status).toBe(303);
    const refused = await save(bob, id, { ...bobs, description: 'Bob wrote this.' });
    expect(refused.status).toBe(409);
    expect(fieldError(refused, 'description', FORM)).toBe(
      'Someone else changed this while you were editing; it is now a newer text (shown above the box). Save again to replace it with yours.',
    );
    expect(refused.dom.querySelector(`${FORM} .conflict-text pre`)!.textContent).toBe('Alice wrote this.');
    expect(formValues(refused, FORM).description).toBe('Bob wrote this.');
    expect((await taskRow(id)).description).toBe('Alice wrote this.');
  });

  test('a form saved untouched changes nothing, whatever the description starts with', async () => {
    const description = '\n    indented code\n\nand text';
    const id = await createTask(t.domain, author, { title: 'Untouched', description, priority: 'low', owner: 'carol' });
    const row = await taskRow(id);
    const events = await eventCount(id);
    const fields = await openForm(alice, id);
    expect(fields.description).toBe(description);
    expect((await save(alice, id, fields)).status).toBe(303);
    expect(await eventCount(id)).toBe(events);
    expect(await taskRow(id)).toEqual(row);
  });

  test('two people who make the same change do not conflict, and the second adds no event', async () => {
    const id = await createTask(t.domain, author, { title: 'Typo in titel' });
    const alices = await openForm(alice, id);
    const bobs = await openForm(bob, id);

    expect((await save(alice, id, { ...alices, title: 'Typo in title' })).status).toBe(303);
    const events = await eventCount(id);
    expect((await save(bob, id, { ...bobs, title: 'Typo in title' })).status).toBe(303);
    expect(await eventCount(id)).toBe(events);
  });
});
