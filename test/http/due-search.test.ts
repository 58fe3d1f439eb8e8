import { tokenFor, call } from '../support/conduit';
import { useTestApp } from '../support/app';
import { createTask, createUser, edit } from '../support/factories';
import { fieldError, loggedIn, type Page } from '../support/http';
import { startOfDay, wallClock } from '../../server/time-zone';
import type { User } from '../../server/users/user';

const ZONE = 'America/New_York';

/** A day relative to today in the install's zone, as YYYY-MM-DD. */
function day(offset: number): string {
  const wall = wallClock(new Date(), ZONE);
  return new Date(new Date(0).setUTCFullYear(wall.getUTCFullYear(), wall.getUTCMonth(), wall.getUTCDate() + offset)).toISOString().slice(0, 10);
}

const monograms = (page: Page) => page.dom.querySelectorAll('.task-row .monogram').map((a) => a.textContent.trim());

describe('searching and ordering by due date', () => {
  const t = useTestApp({ timezone: ZONE });
  const T: Record<string, string> = {};
  let alice: User;

  beforeAll(async () => {
    alice = await createUser(t.db, { username: 'alice', role: 'maintainer' });
    const plan: [string, string | null, string?][] = [
      ['late', day(-1)],
      ['today', day(0)],
      ['earlyToday', `${day(0)}T00:01`],
      ['later', day(3)],
      ['closedLate', day(-1), 'resolved'],
      ['none', null],
    ];
    for (const [name, due, status] of plan) {
      const id = await createTask(t.domain, alice, { title: `Due ${name}` });
      await edit(t.domain, alice, id, { ...(due ? { due } : {}), ...(status ? { status } : {}) });
      T[name] = `T${id}`;
    }
  });

  const list = async (path: string) => {
    const page = await (await loggedIn(t.app, 'alice')).get(path);
    expect(page.status).toBe(200);
    return monograms(page);
  };

  test('the due date is stored as the instant its day begins in the install zone', async () => {
    const row = await t.db('tasks').where({ id: Number(T.later!.slice(1)) }).first('due', 'due_at');
    const [y, m, d] = day(3).split('-').map(Number) as [number, number, number];
    expect(row).toEqual({ due: day(3), due_at: startOfDay(y, m, d, ZONE) });
  });

  test('overdue: open tasks whose day is over or whose time has passed, soonest first', async () => {
    expect(await list('/maniphest/query/?due=overdue&order=due&group=none')).toEqual([T.late, T.earlyToday]);
    expect(await list('/maniphest/query/?text=due:overdue&order=due&group=none')).toEqual([T.late, T.earlyToday]);
  });

  test('the built-in queries Overdue and Due This Week are listed and run', async () => {
    const b = await loggedIn(t.app, 'alice');
    const page = await b.get('/maniphest/query/overdue/');
    expect(monograms(page)).toEqual([T.late, T.earlyToday]);
    const nav = page.dom.querySelectorAll('a').map((a) => a.textContent.trim());
    expect(nav).toEqual(expect.arrayContaining(['Overdue', 'Due This Week']));
    const week = monograms(await b.get('/maniphest/query/dueweek/'));
    expect(week).toEqual(expect.arrayContaining([T.today, T.earlyToday]));
    expect(week).not.toContain(T.closedLate);
    expect(week).not.toContain(T.none);
  });

  test('with or without a due date, and between days (both included)', async () => {
    expect(await list('/maniphest/query/?due=none&group=none')).toEqual([T.none]);
    expect(await list('/maniphest/query/?text=due:none&group=none')).toEqual([T.none]);
    expect((await list('/maniphest/query/?due=any&order=oldest&group=none')).length).toBe(5);
    expect(await list(`/maniphest/query/?dueStart=${day(0)}&dueEnd=${day(3)}&order=due&group=none`)).toEqual([T.today, T.earlyToday, T.later]);
    expect(await list(`/maniphest/query/?dueEnd=${day(-1)}&order=due&group=none`)).toEqual([T.late, T.closedLate]);
    expect(await list(`/maniphest/query/?text=due:after:${day(1)}&order=due&group=none`)).toEqual([T.later]);
  });

  test('ordered by due date, tasks without one come last', async () => {
    expect(await list('/maniphest/query/?order=due&group=none')).toEqual([T.late, T.closedLate, T.today, T.earlyToday, T.later, T.none]);
    // One row a page: the cursor carries the due key, the last row's far-future one included.
    const b = await loggedIn(t.app, 'alice');
    let page = await b.get('/maniphest/query/?order=due&group=none&limit=1');
    const walked = [...monograms(page)];
    for (let next = page.dom.querySelector('a[rel="next"]')?.getAttribute('href'); next; next = page.dom.querySelector('a[rel="next"]')?.getAttribute('href')) {
      page = await b.get(next.replaceAll('&amp;', '&'));
      walked.push(...monograms(page));
    }
    expect(walked).toEqual([T.late, T.closedLate, T.today, T.earlyToday, T.later, T.none]);
  });

  test('a wrong due term or date is named beside its field', async () => {
    const b = await loggedIn(t.app, 'alice');
    const page = await b.get('/maniphest/query/?text=due:tomorrowish');
    expect(fieldError(page, 'text', 'form.filters')).toMatch(/^"due:tomorrowish" is not a due date term\./);
    expect(fieldError(await b.get('/maniphest/query/?dueStart=2026-02-30'), 'dueStart', 'form.filters')).toBe('"2026-02-30" is not a date: use YYYY-MM-DD.');
    expect(fieldError(await b.get('/maniphest/query/?due=someday'), 'due', 'form.filters')).toMatch(/^"someday" is not a due date choice/);
  });

  test('exports carry the due date as given', async () => {
    const b = await loggedIn(t.app, 'alice');
    const res = await b.agent.get('/maniphest/query/export.json?order=due&group=none&due=any');
    const rows = JSON.parse(res.text) as { monogram: string; due: string | null }[];
    expect(rows.map((r) => [r.monogram, r.due])).toEqual([
      [T.late, day(-1)],
      [T.closedLate, day(-1)],
      [T.today, day(0)],
      [T.earlyToday, `${day(0)}T00:01`],
      [T.later, day(3)],
    ]);
  });

  test('maniphest.search: fields.due, the dueAfter and dueBefore constraints, the due order and the built-in query', async () => {
    const token = await tokenFor(t.db, alice);
    const [y, m, d] = day(3).split('-').map(Number) as [number, number, number];
    const laterStart = startOfDay(y, m, d, ZONE).getTime() / 1000;
    const found = await call(t.app, 'maniphest.search', { constraints: { dueAfter: laterStart, dueBefore: laterStart }, order: 'due' }, token);
    expect(found.error_code).toBeNull();
    const data = (found.result as { data: { id: number; fields: { due: number | null; dueDate: string | null } }[] }).data;
    expect(data.map((x) => [`T${x.id}`, x.fields.due, x.fields.dueDate])).toEqual([[T.later, laterStart, day(3)]]);

    const overdue = await call(t.app, 'maniphest.search', { queryKey: 'overdue' }, token);
    expect((overdue.result as { data: { id: number }[] }).data.map((x) => `T${x.id}`)).toEqual([T.late, T.earlyToday]);

    const all = await call(t.app, 'maniphest.search', { order: 'due' }, token);
    const rows = (all.result as { data: { id: number; fields: { due: number | null } }[] }).data;
    expect(rows.at(-1)).toMatchObject({ id: Number(T.none!.slice(1)), fields: { due: null } });
  });
});
