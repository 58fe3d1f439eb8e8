import type { Knex } from 'knex';
import { useTestApp } from '../support/app';
import { createTask, createUser } from '../support/factories';
import { formValues, loggedIn, textOf, timelineLines, type Browser, type Page } from '../support/http';
import type { User } from '../../server/users/user';

/** The cards of each column as "T1 T2", by column name: what a person sees on the board. */
function boardColumns(page: Page): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const col of page.dom.querySelectorAll('.board-column')) {
    out[col.querySelector('h2')!.textContent.trim()] = col.querySelectorAll('.card .monogram').map((m) => m.textContent.trim());
  }
  return out;
}

async function columnId(db: Knex, projectId: number, name: string): Promise<number> {
  return (await db('board_columns').where({ project_id: projectId, name }).first()).id;
}

/** Moves a card with its "Move to column" control, as without JavaScript: the link on the card, then its form. */
async function moveCard(b: Browser, boardUrl: string, task: number, column: number, extra: Record<string, string> = {}): Promise<Page> {
  const board = await b.get(boardUrl);
  const link = board.dom.querySelector(`.card[data-task="${task}"] a.card-move`)!.getAttribute('href')!;
  const form = await b.get(link.replaceAll('&amp;', '&'));
  expect(form.status).toBe(200);
  const values = formValues(form, 'form.card-move-form');
  return b.post(`${boardUrl}move`, { ...values, column: String(column), ...extra }, link);
}

describe('workboards', () => {
  const t = useTestApp();
  let alice: User;
  let project: number;
  let board: string;

  beforeAll(async () => {
    alice = await createUser(t.db, { username: 'alice', role: 'maintainer' });
    await createUser(t.db, { username: 'erin', role: 'engineer' });
    const b = await loggedIn(t.app, 'alice');
    const created = await b.post('/project/edit/', { name: 'Backend', members: 'erin' }, '/project/edit/');
    project = Number(created.location!.split('/')[3]);
    board = `/project/board/${project}/`;
    for (const [name, status] of [['Doing', ''], ['Done', 'resolved'], ["Won't Do", 'wontfix']]) {
      expect((await b.post(`${board}columns/`, { name: name!, status: status! }, `${board}columns/`)).status).toBe(303);
    }
  });

  test('a tagged task lands in Backlog; moving it writes one event in the timeline', async () => {
    const id = await createTask(t.domain, alice, { title: 'Card one' });
    const b = await loggedIn(t.app, 'alice');
    await b.post(`/T${id}/comment`, { addProjects: 'backend' }, `/T${id}`);
    let page = await b.get(board);
    expect(boardColumns(page).Backlog).toContain(`T${id}`);
    const moved = await moveCard(b, board, id, await columnId(t.db, project, 'Doing'));
    expect(moved.status).toBe(303);
    expect(moved.location).toBe(board);
    page = await b.get(board);
    expect(boardColumns(page).Doing).toEqual([`T${id}`]);
    expect(timelineLines(await b.get(`/T${id}`))).toContain('alice moved this task from Backlog to Doing on the #backend board.');
  });

  test('dropping into a bound column closes the task in the same group; reopening moves it back to the default column', async () => {
    const id = await createTask(t.domain, alice, { title: 'Bound both ways', owner: 'alice' });
    const b = await loggedIn(t.app, 'alice');
    await b.post(`/T${id}/comment`, { addProjects: 'backend' }, `/T${id}`);
    expect((await moveCard(b, board, id, await columnId(t.db, project, 'Done'))).status).toBe(303);
    let task = await b.get(`/T${id}`);
    expect(task.text).toContain('Closed, Resolved');
    const group = task.dom.querySelectorAll('.timeline .event-group').find((g) => textOf(g).includes('moved this task'));
    expect(textOf(group!)).toContain('alice closed this task as Resolved.');
    expect(textOf(group!)).toContain('alice moved this task from Backlog to Done on the #backend board.');

    expect((await b.post(`/T${id}/comment`, { status: 'open' }, `/T${id}`)).status).toBe(303);
    expect(boardColumns(await b.get(board)).Backlog).toContain(`T${id}`);
    expect((await b.post(`/T${id}/comment`, { status: 'wontfix' }, `/T${id}`)).status).toBe(303);
    expect(boardColumns(await b.get(board))["Won't Do"]).toContain(`T${id}`);
    task = await b.get(`/T${id}`);
    expect(timelineLines(task)).toContain("alice moved this task from Backlog to Won't Do on the #backend board.");
  });

  test('an engineer may move cards but not close a task by dropping it in Done', async () => {
    const id = await createTask(t.domain, alice, { title: 'Engineer drop' });
    const erin = await loggedIn(t.app, 'erin');
    await erin.post(`/T${id}/comment`, { addProjects: 'backend' }, `/T${id}`);
    expect((await moveCard(erin, board, id, await columnId(t.db, project, 'Doing'))).status).toBe(303);
    const refused = await moveCard(erin, board, id, await columnId(t.db, project, 'Done'));
    expect(refused.status).toBe(403);
    expect(refused.text).toContain('You do not have permission to change the status of this task.');
    expect(boardColumns(await erin.get(board)).Doing).toContain(`T${id}`);
  });

  test('bad moves: a column of another board, a hidden column, a board that does not exist', async () => {
    const id = await createTask(t.domain, alice, { title: 'Bad moves' });
    const b = await loggedIn(t.app, 'alice');
    await b.post(`/T${id}/comment`, { addProjects: 'backend' }, `/T${id}`);
    const other = await b.post('/project/edit/', { name: 'Elsewhere' }, '/project/edit/');
    const otherId = Number(other.location!.split('/')[3]);
    const foreign = await moveCard(b, board, id, await columnId(t.db, otherId, 'Backlog'));
    expect(foreign.status).toBe(422);
    expect(foreign.text).toContain('This column is not on the #backend board.');
    const hiddenCol = await b.post(`${board}columns/`, { name: 'Parked' }, `${board}columns/`);
    expect(hiddenCol.status).toBe(303);
    const parked = await columnId(t.db, project, 'Parked');
    expect((await b.post(`${board}columns/${parked}/hide`, { hidden: 'true' }, `${board}columns/`)).status).toBe(303);
    const hidden = await moveCard(b, board, id, parked);
    expect(hidden.status).toBe(422);
    expect(hidden.text).toContain('The column "Parked" is hidden');
    const values = formValues(await b.get(`${board}move?task=${id}`), 'form.card-move-form');
    expect((await b.post('/project/board/99999/move', values, board)).status).toBe(404);
    expect((await b.get(`${board}move?task=99999`)).status).toBe(404);
    expect(await t.db('board_cards').where({ task_id: id }).select('column_id')).toEqual([{ column_id: await columnId(t.db, project, 'Backlog') }]);
  });

  test('card limits: "n / limit" in the header, red when over, a confirmation, and strict refusal', async () => {
    const b = await loggedIn(t.app, 'alice');
    expect((await b.post(`${board}columns/`, { name: 'Review', limit: '1' }, `${board}columns/`)).status).toBe(303);
    const review = await columnId(t.db, project, 'Review');
    const [one, two] = [await createTask(t.domain, alice, { title: 'WIP one' }), await createTask(t.domain, alice, { title: 'WIP two' })];
    for (const id of [one, two]) await b.post(`/T${id}/comment`, { addProjects: 'backend' }, `/T${id}`);
    expect((await moveCard(b, board, one, review)).status).toBe(303);
    const asked = await moveCard(b, board, two, review);
    expect(asked.status).toBe(409);
    expect(asked.text).toContain('The column "Review" already holds 1 of 1 cards.');
    const again = await b.post(`${board}move`, formValues(asked, 'form[action$="move"]'), board);
    expect(again.status).toBe(303);
    let page = await b.get(board);
    const header = page.dom.querySelector(`.board-column[data-column="${review}"] .column-header`)!;
    expect(header.querySelector('.column-count')!.textContent).toBe('2 / 1');
    expect(header.classList.contains('over-limit')).toBe(true);

    expect((await b.post(`${board}columns/${review}/edit`, { name: 'Review', limit: '2', strict: '1' }, `${board}columns/`)).status).toBe(303);
    const three = await createTask(t.domain, alice, { title: 'WIP three' });
    await b.post(`/T${three}/comment`, { addProjects: 'backend' }, `/T${three}`);
    const strict = await moveCard(b, board, three, review, { overLimit: '1' });
    expect(strict.status).toBe(409);
    expect(strict.text).toContain('is full (2 / 2) and its limit is strict');
    page = await b.get(board);
    expect(boardColumns(page).Review).toEqual(expect.arrayContaining([`T${one}`, `T${two}`]));
    expect(boardColumns(page).Review).not.toContain(`T${three}`);
  });

  test('column edits: rename, reorder, refuse what breaks the rules, delete an empty column', async () => {
    const b = await loggedIn(t.app, 'alice');
    const cols = `${board}columns/`;
    expect((await b.post(cols, { name: 'x'.repeat(129) }, cols)).status).toBe(422);
    expect((await b.post(cols, { name: 'Bad', status: 'nosuch' }, cols)).status).toBe(422);
    expect((await b.post(cols, { name: 'Bad', limit: '0' }, cols)).status).toBe(422);
    const backlog = await columnId(t.db, project, 'Backlog');
    const refused = await b.post(`${cols}${backlog}/edit`, { name: 'Backlog', status: 'resolved' }, cols);
    expect(refused.status).toBe(409);
    expect(refused.text).toContain('can not be bound to a closed status');
    const doing = await columnId(t.db, project, 'Doing');
    const busy = await b.post(`${cols}${doing}/edit`, { name: 'Doing', status: 'resolved' }, cols);
    expect(busy.status).toBe(409);
    expect(busy.text).toMatch(/open tasks? (is|are) in this column/);
    expect((await b.post(`${cols}${doing}/edit`, { name: 'In Progress' }, cols)).status).toBe(303);
    expect((await b.post(`${cols}${doing}/move`, { direction: 'left' }, cols)).status).toBe(303);
    const names = Object.keys(boardColumns(await b.get(board)));
    expect(names.indexOf('In Progress')).toBeLessThan(names.indexOf('Backlog'));
    expect((await b.post(`${cols}${doing}/delete`, {}, cols)).status).toBe(409);
    expect((await b.post(cols, { name: 'Empty' }, cols)).status).toBe(303);
    const empty = await columnId(t.db, project, 'Empty');
    expect((await b.post(`${cols}${empty}/delete`, {}, cols)).status).toBe(303);
    expect(await t.db('board_columns').where({ id: empty }).first()).toBeUndefined();
    const erinless = await loggedIn(t.app, 'erin');
    expect((await erinless.get(cols)).status).toBe(200);
  });

  test('board orders and filters', async () => {
    const b = await loggedIn(t.app, 'alice');
    const id = await createTask(t.domain, alice, { title: 'Unique zebra words', priority: 'high' });
    await b.post(`/T${id}/comment`, { addProjects: 'backend' }, `/T${id}`);
    const filtered = await b.get(`${board}?text=zebra`);
    expect(Object.values(boardColumns(filtered)).flat()).toEqual([`T${id}`]);
    const byPriority = await b.get(`${board}?order=priority`);
    expect(byPriority.dom.querySelectorAll('.board-column')[0]!.querySelectorAll('.card-group').map((h) => h.textContent)).toContain('High');
    expect((await b.get(`${board}?order=owner`)).status).toBe(200);
    const byCreated = boardColumns(await b.get(`${board}?order=created`));
    expect(byCreated.Backlog![0]).toBe(`T${id}`);
    // Within each column, the newest task first.
    for (const cards of Object.values(byCreated)) expect(cards).toEqual([...cards].sort((x, y) => Number(y.slice(1)) - Number(x.slice(1))));
    expect((await b.get(`${board}?priorities=nosuch`)).status).toBe(400);
  });
});

describe('milestones on the parent board', () => {
  const t = useTestApp();

  test('dropping a card on a milestone column tags the task with the milestone; moving it back untags it', async () => {
    const maya = await createUser(t.db, { username: 'maya', role: 'maintainer' });
    const b = await loggedIn(t.app, 'maya');
    const created = await b.post('/project/edit/', { name: 'Mobile' }, '/project/edit/');
    const project = Number(created.location!.split('/')[3]);
    const ms = await b.post(`/project/${project}/milestone`, { name: 'Sprint 12' }, created.location!);
    const milestone = Number(ms.location!.split('/')[3]);
    const board = `/project/board/${project}/`;
    const id = await createTask(t.domain, maya, { title: 'Sprint work' });
    await b.post(`/T${id}/comment`, { addProjects: 'mobile' }, `/T${id}`);
    expect((await moveCard(b, board, id, await columnId(t.db, project, 'Sprint 12'))).status).toBe(303);
    expect((await t.db('task_projects').where({ task_id: id })).map((r) => r.project_id)).toEqual([milestone]);
    const page = await b.get(board);
    expect(boardColumns(page)['#mobile_sprint_12 Sprint 12']).toEqual([`T${id}`]);
    expect(timelineLines(await b.get(`/T${id}`))).toContain('maya changed project tags, added: #mobile_sprint_12; removed: #mobile.');
    expect(boardColumns(await b.get(`/project/board/${milestone}/`)).Backlog).toEqual([`T${id}`]);
    expect((await moveCard(b, board, id, await columnId(t.db, project, 'Backlog'))).status).toBe(303);
    expect((await t.db('task_projects').where({ task_id: id })).map((r) => r.project_id)).toEqual([project]);
    expect(await t.db('board_cards').where({ task_id: id, project_id: milestone })).toEqual([]);
  });
});
