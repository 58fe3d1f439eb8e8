import { useTestApp } from '../support/app';
import { bulkEdit, bulkFields } from '../support/bulk';
import { createTask, createUser, edit } from '../support/factories';
import { fieldError, formValues, loggedIn, textOf, timelineLines } from '../support/http';

/** A day relative to today (UTC, the test install's zone), as YYYY-MM-DD. */
const day = (offset: number) => new Date(Date.now() + offset * 86400000).toISOString().slice(0, 10);

describe('due dates on the forms, the task page and list rows', () => {
  const t = useTestApp();

  test('set on the create form, changed on the edit form, removed by clearing it', async () => {
    await createUser(t.db, { username: 'alice' });
    const alice = await loggedIn(t.app, 'alice');
    const created = await alice.post('/maniphest/task/edit/', { title: 'Ship it', dueDate: '2031-12-11', dueTime: '' }, '/maniphest/task/edit/');
    expect(created.status).toBe(303);
    const url = created.location!;
    let page = await alice.get(url);
    expect(textOf(page.dom.querySelector('.properties .due')!)).toBe('Due Thu, Dec 11 2031');
    expect(timelineLines(page)).toEqual(['alice created this task.', 'alice set the due date to Dec 11 2031.']);

    const id = Number(url.slice(2));
    const form = `/maniphest/task/edit/${id}/`;
    const values = formValues(await alice.get(form), 'form.task-form');
    expect([values.dueDate, values.dueTime]).toEqual(['2031-12-11', '']);
    expect((await alice.postRaw(form, { ...values, dueDate: '2031-12-18', dueTime: '09:30' })).status).toBe(303);
    page = await alice.get(url);
    expect(textOf(page.dom.querySelector('.properties .due')!)).toBe('Due Thu, Dec 18 2031, 9:30 AM');
    expect(timelineLines(page).at(-1)).toBe('alice changed the due date from Dec 11 2031 to Dec 18 2031, 9:30 AM.');
    expect(await t.db('tasks').where({ id }).first('due', 'due_at')).toEqual({ due: '2031-12-18T09:30', due_at: new Date('2031-12-18T09:30:00Z') });

    // Saving the form unchanged adds nothing; clearing both boxes removes the date.
    expect((await alice.postRaw(form, formValues(await alice.get(form), 'form.task-form'))).status).toBe(303);
    expect((await alice.postRaw(form, { ...formValues(await alice.get(form), 'form.task-form'), dueDate: '', dueTime: '' })).status).toBe(303);
    page = await alice.get(url);
    expect(page.dom.querySelector('.properties .due')).toBeNull();
    expect(timelineLines(page).slice(-2)).toEqual(['alice changed the due date from Dec 11 2031 to Dec 18 2031, 9:30 AM.', 'alice removed the due date.']);
    expect(await t.db('tasks').where({ id }).first('due', 'due_at')).toEqual({ due: null, due_at: null });
  });

  test('set from the comment form as an action', async () => {
    const alice = await createUser(t.db, { username: 'carol' });
    const id = await createTask(t.domain, alice, { title: 'Comment action' });
    const b = await loggedIn(t.app, 'carol');
    const res = await b.post(`/T${id}/comment`, { comment: '', dueDate: '2031-01-02', dueTime: '' }, `/T${id}`);
    expect(res.status).toBe(303);
    expect(timelineLines(await b.get(`/T${id}`)).at(-1)).toBe('carol set the due date to Jan 2 2031.');
    expect((await b.post(`/T${id}/comment`, { comment: 'No longer urgent.', dueRemove: '1' }, `/T${id}`)).status).toBe(303);
    expect(timelineLines(await b.get(`/T${id}`)).at(-1)).toBe('carol removed the due date.');
    // Without a due date there is nothing to remove: the box is not offered.
    expect((await b.get(`/T${id}`)).dom.querySelector('form.comment-form [name="dueRemove"]')).toBeNull();
  });

  test('bad input is refused beside the field with the input kept, and nothing is written', async () => {
    const dave = await createUser(t.db, { username: 'dave' });
    const b = await loggedIn(t.app, 'dave');
    const before = await t.db('tasks').count({ n: '*' }).first();
    for (const [dueDate, dueTime, message] of [
      ['2026-02-30', '', '2026-02-30 is not a day of the calendar.'],
      ['tomorrowish', '', '"tomorrowish" is not a date: use YYYY-MM-DD, such as 2026-12-11.'],
      ['', '09:30', 'A time needs a date: enter the day it is due, too.'],
    ]) {
      const refused = await b.post('/maniphest/task/edit/', { title: 'Never saved', dueDate: dueDate!, dueTime: dueTime! }, '/maniphest/task/edit/');
      expect(refused.status).toBe(422);
      expect(fieldError(refused, 'dueTime', 'form.task-form')).toBe(message);
      expect(formValues(refused, 'form.task-form')).toMatchObject({ title: 'Never saved', dueDate, dueTime });
    }
    expect(await t.db('tasks').count({ n: '*' }).first()).toEqual(before);

    const id = await createTask(t.domain, dave, { title: 'Has a comment form' });
    const refused = await b.post(`/T${id}`.concat('/comment'), { comment: 'Soon', dueDate: '2026-02-30', dueTime: '' }, `/T${id}`);
    expect(refused.status).toBe(422);
    expect(fieldError(refused, 'dueTime', 'form.comment-form')).toBe('2026-02-30 is not a day of the calendar.');
    expect(formValues(refused, 'form.comment-form')).toMatchObject({ comment: 'Soon', dueDate: '2026-02-30' });
    expect(await t.db('task_events').where({ task_id: id }).whereIn('type', ['comment', 'due']).count({ n: '*' }).first()).toEqual({ n: 0 });
  });

  test('list rows say when tasks are due: red once missed, amber within two days, plain for closed tasks', async () => {
    const erin = await createUser(t.db, { username: 'erin', role: 'maintainer' });
    const late = await createTask(t.domain, erin, { title: 'Late one' });
    const soon = await createTask(t.domain, erin, { title: 'Soon one' });
    const later = await createTask(t.domain, erin, { title: 'Later one' });
    const done = await createTask(t.domain, erin, { title: 'Done one' });
    await edit(t.domain, erin, late, { due: day(-3) });
    await edit(t.domain, erin, soon, { due: day(1) });
    await edit(t.domain, erin, later, { due: day(20) });
    await edit(t.domain, erin, done, { due: day(-3), status: 'resolved' });
    const b = await loggedIn(t.app, 'erin');
    const page = await b.get('/maniphest/query/all/');
    const classOf = (id: number) => page.dom.querySelectorAll('.task-row').find((r) => r.querySelector('.monogram')!.textContent === `T${id}`)!.querySelector('.due')!.getAttribute('class');
    expect(classOf(late)).toBe('due due-overdue');
    expect(classOf(soon)).toBe('due due-soon');
    expect(classOf(later)).toBe('due');
    expect(classOf(done)).toBe('due');
    expect(textOf((await b.get(`/T${late}`)).dom.querySelector('.properties .due')!)).toMatch(/^Due \w{3}, \w{3} \d+/);
  });

  test('the bulk editor sets and removes due dates, and refuses a wrong one beside its field', async () => {
    const fay = await createUser(t.db, { username: 'fay', role: 'maintainer' });
    const a = await createTask(t.domain, fay, { title: 'Bulk one' });
    const b = await createTask(t.domain, fay, { title: 'Bulk two' });
    const browser = await loggedIn(t.app, 'fay');
    const from = '/maniphest/query/?authors=fay';
    let list = await browser.get(from);
    const done = await bulkEdit(browser, bulkFields(list, { scope: 'selected', due: '2031-03-04' }, [a, b]), from);
    expect(done.dom.querySelector('.summary')!.textContent).toBe('2 tasks were changed.');
    expect(timelineLines(await browser.get(`/T${a}`)).at(-1)).toBe('fay set the due date to Mar 4 2031.');

    list = await browser.get(from);
    const refused = await browser.post('/maniphest/bulk/', bulkFields(list, { scope: 'selected', due: '2031-02-30' }, [a]), from);
    expect(refused.status).toBe(422);
    expect(fieldError(refused, 'due', 'form#bulk-edit')).toBe('2031-02-30 is not a day of the calendar.');
    expect(formValues(refused, 'form#bulk-edit').due).toBe('2031-02-30');

    await bulkEdit(browser, bulkFields(await browser.get(from), { scope: 'selected', due: 'none' }, [b]), from);
    expect(await t.db('tasks').whereIn('id', [a, b]).orderBy('id').pluck('due')).toEqual(['2031-03-04', null]);
  });
});
