import type { Knex } from 'knex';
import { buildTrackerConfig } from '../../server/tracker-config';
import type { User } from '../../server/users/user';
import { useTestApp } from '../support/app';
import { bulkEdit, bulkFields } from '../support/bulk';
import { createTask, createUser, edit } from '../support/factories';
import { fieldError, formValues, loggedIn, textOf, timelineLines, type Browser, type Page } from '../support/http';

/**
 * Points switched on ("Story Points"): set on the forms, the comment form, the API and bulk
 * edit; shown on the task page, list rows and cards; summed in list groups and board columns
 * over what the viewer may see; searched, ordered and exported.
 */

const tracker = buildTrackerConfig({ points: { enabled: true, label: 'Story Points', action: 'Change Story Points' } });

const pointsOf = async (db: Knex, id: number) => (await db('tasks').where({ id }).first('points')).points as number | null;
const eventCount = async (db: Knex, id: number) => Number((await db('task_events').where({ task_id: id }).count<{ n: string }[]>({ n: '*' }))[0]!.n);
const tag = (page: Page) => page.dom.querySelector('.task-header .points-tag')?.textContent ?? null;
const headers = (page: Page) => page.dom.querySelectorAll('h2.group-header').map((h) => textOf(h));

describe('points, switched on', () => {
  const t = useTestApp({ tracker });
  let mia: User;
  let erin: User;
  let maintainer: Browser;
  let engineer: Browser;

  beforeAll(async () => {
    mia = await createUser(t.db, { username: 'mia', role: 'maintainer' });
    erin = await createUser(t.db, { username: 'erin', role: 'engineer' });
    await createUser(t.db, { username: 'rita', role: 'reader' });
    [maintainer, engineer] = await Promise.all([loggedIn(t.app, 'mia'), loggedIn(t.app, 'erin')]);
  });

  describe('on the forms and the task page', () => {
    test('the create form sets them; the page shows "3 Story Points" and the timeline says so', async () => {
      const form = await engineer.get('/maniphest/task/edit/');
      expect(form.dom.querySelector('label[for="f-points"]')!.textContent).toBe('Story Points');
      const created = await engineer.post('/maniphest/task/edit/', { ...formValues(form, 'form.task-form'), title: 'Size the printer queue', points: '3' }, '/maniphest/task/edit/');
      expect(created.status).toBe(303);
      const id = Number(created.location!.slice(2));
      expect(await pointsOf(t.db, id)).toBe(3);
      const page = await engineer.get(`/T${id}`);
      expect(tag(page)).toBe('3 Story Points');
      expect(timelineLines(page).join('\n')).toContain('erin set the point value for this task to 3.');
      const card = await engineer.get(`/T${id}/hovercard`);
      expect(card.dom.querySelectorAll('dd').map((d) => textOf(d))).toContain('3 Story Points');
    });

    test('the edit form changes them to a half and removes them', async () => {
      const id = await createTask(t.domain, erin, { title: 'Half a point' });
      await edit(t.domain, erin, id, { points: 2 });
      const url = `/maniphest/task/edit/${id}/`;
      const form = await engineer.get(url);
      expect(form.dom.querySelector('input[name="points"]')!.getAttribute('value')).toBe('2');
      expect((await engineer.post(url, { ...formValues(form, 'form.task-form'), points: '0.5' }, url)).status).toBe(303);
      expect(await pointsOf(t.db, id)).toBe(0.5);
      let page = await engineer.get(`/T${id}`);
      expect(tag(page)).toBe('0.5 Story Points');
      expect(timelineLines(page).join('\n')).toContain('erin changed the point value for this task from 2 to 0.5.');
      const again = await engineer.get(url);
      expect((await engineer.post(url, { ...formValues(again, 'form.task-form'), points: '' }, url)).status).toBe(303);
      expect(await pointsOf(t.db, id)).toBeNull();
      page = await engineer.get(`/T${id}`);
      expect(tag(page)).toBeNull();
      expect(timelineLines(page).join('\n')).toContain('erin removed the point value 0.5 for this task.');
    });

    test('the comment form offers the configured action; an empty box keeps them', async () => {
      const id = await createTask(t.domain, erin, { title: 'Estimate by comment' });
      await edit(t.domain, erin, id, { points: 3 });
      const url = `/T${id}`;
      const page = await engineer.get(url);
      const input = page.dom.querySelector('form#comment input[name="points"]')!;
      expect(textOf(input.parentNode!)).toBe('Change Story Points');
      expect(input.getAttribute('placeholder')).toBe('Keep 3 Story Points');
      expect((await engineer.post(`${url}/comment`, { ...formValues(page, 'form#comment'), comment: 'Just a note.' }, url)).status).toBe(303);
      expect(await pointsOf(t.db, id)).toBe(3);
      expect((await engineer.post(`${url}/comment`, { ...formValues(page, 'form#comment'), points: '5', comment: 'Bigger than it looked.' }, url)).status).toBe(303);
      expect(await pointsOf(t.db, id)).toBe(5);
      expect(timelineLines(await engineer.get(url)).join('\n')).toContain('erin changed the point value for this task from 3 to 5.');
    });

    test('a reader gets no points control, and a forged one is refused', async () => {
      const id = await createTask(t.domain, erin, { title: 'Not for readers' });
      const reader = await loggedIn(t.app, 'rita');
      const page = await reader.get(`/T${id}`);
      expect(page.dom.querySelector('input[name="points"]')).toBeNull();
      const forged = await reader.post(`/T${id}/comment`, { points: '8' }, `/T${id}`);
      expect(forged.status).toBe(403);
      expect(await pointsOf(t.db, id)).toBeNull();
    });

    test.each([
      ['-1', 'Points value must be nonnegative.'],
      ['lots', 'Points value must be numeric or empty.'],
      ['NaN', 'Points value must be numeric or empty.'],
      ['1e400', 'Points value must be numeric or empty.'],
      ['99999', 'Points value must be at most 10000.'],
      ['0.125', 'Points value may have at most two decimal places.'],
    ])('the edit form refuses %p beside the field, keeps the input and writes nothing', async (bad, message) => {
      const id = await createTask(t.domain, erin, { title: `Refuse ${bad}` });
      await edit(t.domain, erin, id, { points: 1 });
      const before = await eventCount(t.db, id);
      const url = `/maniphest/task/edit/${id}/`;
      const refused = await engineer.post(url, { ...formValues(await engineer.get(url), 'form.task-form'), title: 'Renamed too', points: bad }, url);
      expect(refused.status).toBe(422);
      expect(fieldError(refused, 'points', 'form.task-form')).toBe(message);
      expect(refused.dom.querySelector('input[name="points"]')!.getAttribute('value')).toBe(bad);
      expect(refused.dom.querySelector('input[name="title"]')!.getAttribute('value')).toBe('Renamed too');
      expect(await pointsOf(t.db, id)).toBe(1);
      expect(await eventCount(t.db, id)).toBe(before);
    });

    test('the comment form refuses a bad value beside its action, the comment kept', async () => {
      const id = await createTask(t.domain, erin, { title: 'Refused by comment' });
      const url = `/T${id}`;
      const before = await eventCount(t.db, id);
      const refused = await engineer.post(`${url}/comment`, { ...formValues(await engineer.get(url), 'form#comment'), points: '-3', comment: 'Negative work.' }, url);
      expect(refused.status).toBe(422);
      expect(fieldError(refused, 'points', 'form#comment')).toBe('Points value must be nonnegative.');
      expect(refused.dom.querySelector('form#comment input[name="points"]')!.getAttribute('value')).toBe('-3');
      expect(refused.dom.querySelector('form#comment textarea[name="comment"]')!.textContent).toBe('Negative work.');
      expect(await eventCount(t.db, id)).toBe(before);
    });
  });

  describe('in lists', () => {
    let hidden: number;

    beforeAll(async () => {
      const make = async (title: string, priority: string, points: number | null, view?: string) => {
        const id = await createTask(t.domain, mia, { title, priority, ...(view ? { view } : {}) });
        if (points !== null) await edit(t.domain, mia, id, { points });
        return id;
      };
      await make('Zork one', 'high', 5);
      await make('Zork two', 'high', 7);
      await make('Zork three', 'high', null);
      await make('Zork four', 'low', 0.5);
      hidden = await make('Zork secret', 'high', 100, 'maintainers');
    });

    test('rows show their points and group headers sum them: "High · 12 Story Points"', async () => {
      const list = await engineer.get('/maniphest/query/?text=zork&order=priority&group=priority');
      expect(list.status).toBe(200);
      expect(headers(list)).toEqual(['High · 12 Story Points (3)', 'Low · 0.5 Story Points (1)']);
      const row = list.dom.querySelectorAll('.task-row').find((r) => textOf(r).includes('Zork one'))!;
      expect(row.querySelector('.points')!.textContent).toBe('5 Story Points');
    });

    test('a task the viewer may not see is neither counted nor summed; a maintainer gets it in both', async () => {
      const list = await maintainer.get('/maniphest/query/?text=zork&order=priority&group=priority');
      expect(headers(list)).toEqual(['High · 112 Story Points (4)', 'Low · 0.5 Story Points (1)']);
      expect((await engineer.get('/maniphest/query/?text=zork')).text).not.toContain('Zork secret');
      expect(hidden).toBeGreaterThan(0);
    });

    test('groups read group by group sum over the whole group, not only the page', async () => {
      const list = await engineer.get('/maniphest/query/?text=zork&order=title&group=priority&limit=1');
      expect(headers(list)).toEqual(['High · 12 Story Points (3)']);
    });

    test('the filter form takes a points range, and the list orders by points', async () => {
      const form = await engineer.get('/maniphest/query/');
      expect(form.dom.querySelector('input[name="pointsMin"]')).not.toBeNull();
      expect(form.dom.querySelectorAll('select[name="order"] option').map((o) => o.getAttribute('value'))).toContain('points');
      const titles = (p: Page) => p.dom.querySelectorAll('.task-row .task-title').map((a) => a.textContent);
      expect(titles(await engineer.get('/maniphest/query/?text=zork&pointsMin=1&group=none&order=points'))).toEqual(['Zork two', 'Zork one']);
      expect(titles(await engineer.get('/maniphest/query/?text=zork&pointsMax=5&group=none&order=points'))).toEqual(['Zork one', 'Zork four']);
      expect(titles(await engineer.get('/maniphest/query/?text=zork&pointsMin=0.5&pointsMax=0.5&group=none'))).toEqual(['Zork four']);
      // No points sort last.
      expect(titles(await engineer.get('/maniphest/query/?text=zork&group=none&order=points'))).toEqual(['Zork two', 'Zork one', 'Zork four', 'Zork three']);
    });

    test('a points order pages by keyset like the others', async () => {
      const first = await engineer.get('/maniphest/query/?text=zork&group=none&order=points&limit=2');
      const next = first.dom.querySelector('a[rel="next"]') ?? first.dom.querySelectorAll('a').find((a) => /after=/.test(a.getAttribute('href') ?? ''));
      const second = await engineer.get(next!.getAttribute('href')!);
      expect(second.dom.querySelectorAll('.task-row .task-title').map((a) => a.textContent)).toEqual(['Zork four', 'Zork three']);
    });

    test.each([
      ['pointsMin=lots', 'pointsMin', 'A points bound must be numeric.'],
      ['pointsMax=-2', 'pointsMax', 'A points bound must be nonnegative.'],
      ['pointsMin=5&pointsMax=2', 'pointsMax', 'The most points is below the fewest.'],
    ])('a bad bound (%s) is refused beside its field, the input kept', async (query, field, message) => {
      const page = await engineer.get(`/maniphest/query/?${query}`);
      expect(page.status).toBe(400);
      expect(fieldError(page, field, 'form.filters')).toBe(message);
      expect(page.dom.querySelector(`input[name="${field}"]`)!.getAttribute('value')).toBe(new URLSearchParams(query).get(field));
    });

    test('CSV and JSON exports carry the points', async () => {
      const csv = await engineer.agent.get('/maniphest/query/export.csv?text=zork&order=points&group=none');
      expect(csv.status).toBe(200);
      const lines = csv.text.trim().split('\r\n');
      expect(lines[0]).toBe('id,monogram,title,status,priority,owner,author,created,updated,closed,due,url,points');
      expect(lines.slice(1).map((l) => l.split(',').at(-1))).toEqual(['7', '5', '0.5', '']);
      const json = await engineer.agent.get('/maniphest/query/export.json?text=zork&order=points&group=none');
      expect((JSON.parse(json.text) as { title: string; points: number | null }[]).map((r) => [r.title, r.points])).toEqual([
        ['Zork two', 7],
        ['Zork one', 5],
        ['Zork four', 0.5],
        ['Zork three', null],
      ]);
    });

    test('bulk edit sets points on every task ticked; a bad value is refused before any change', async () => {
      const a = await createTask(t.domain, mia, { title: 'Bulky alpha' });
      const b = await createTask(t.domain, mia, { title: 'Bulky beta' });
      const from = '/maniphest/query/?text=bulky';
      const list = await maintainer.get(from);
      const refused = await maintainer.post('/maniphest/bulk/', bulkFields(list, { points: 'lots', scope: 'selected' }, [a, b]), from);
      expect(refused.status).toBe(422);
      expect(fieldError(refused, 'points', 'form#bulk-edit')).toBe('Points value must be numeric or empty.');
      await bulkEdit(maintainer, bulkFields(list, { points: '2.5', scope: 'selected' }, [a, b]), from);
      expect([await pointsOf(t.db, a), await pointsOf(t.db, b)]).toEqual([2.5, 2.5]);
    });
  });

  describe('on workboards', () => {
    test('column headers sum the points of the cards the viewer may see; cards show theirs', async () => {
      const created = await maintainer.post('/project/edit/', { name: 'Sprint', members: 'erin' }, '/project/edit/');
      const project = Number(created.location!.split('/')[3]);
      const board = `/project/board/${project}/`;
      const card = async (title: string, points: number | null, view?: string) => {
        const id = await createTask(t.domain, mia, { title, ...(view ? { view } : {}) });
        await edit(t.domain, mia, id, { projects: { add: ['sprint'] }, ...(points === null ? {} : { points }) });
        return id;
      };
      await card('Card three', 3);
      await card('Card half', 0.5);
      await card('Card none', null);
      await card('Card secret', 40, 'maintainers');
      const backlog = (await t.db('board_columns').where({ project_id: project, name: 'Backlog' }).first()).id as number;
      const sum = (page: Page) => page.dom.querySelector(`.board-column[data-column="${backlog}"] .column-points`)?.textContent ?? null;
      const asEngineer = await engineer.get(board);
      expect(asEngineer.status).toBe(200);
      expect(sum(asEngineer)).toBe('3.5 Story Points');
      expect(asEngineer.dom.querySelector(`.board-column[data-column="${backlog}"] .column-count`)!.textContent).toBe('3');
      expect(asEngineer.text).not.toContain('Card secret');
      expect(sum(await maintainer.get(board))).toBe('43.5 Story Points');
      const cardThree = asEngineer.dom.querySelectorAll('.card').find((c) => textOf(c).includes('Card three'))!;
      expect(cardThree.querySelector('.points')!.textContent).toBe('3 Story Points');
      // Filtered, the sum follows the cards shown.
      expect(sum(await engineer.get(`${board}?text=half`))).toBe('0.5 Story Points');
    });
  });
});
