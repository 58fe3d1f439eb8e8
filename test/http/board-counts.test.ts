import type { Knex } from 'knex';
import { useTestApp } from '../support/app';
import { createTask, createUser } from '../support/factories';
import { formValues, loggedIn, type Browser, type Page } from '../support/http';
import { recordStatements } from '../support/statements';
import type { User } from '../../server/users/user';

/**
 * What a column header counts, and what a card limit counts for the person
 * moving a card: the cards they may see. A task hidden from them counts, and
 * reads, exactly like one that does not exist.
 */

async function columnId(db: Knex, projectId: number, name: string): Promise<number> {
  return (await db('board_columns').where({ project_id: projectId, name }).first()).id;
}

const header = (page: Page, column: number) => page.dom.querySelector(`.board-column[data-column="${column}"] .column-count`)!.textContent;

/** Moves a card with its "Move to column" form, as without JavaScript. */
async function moveCard(b: Browser, boardUrl: string, task: number, column: number, extra: Record<string, string> = {}): Promise<Page> {
  const form = await b.get(`${boardUrl}move?task=${task}`);
  expect(form.status).toBe(200);
  return b.post(`${boardUrl}move`, { ...formValues(form, 'form.card-move-form'), column: String(column), ...extra }, `${boardUrl}move?task=${task}`);
}

describe('column counts and card limits see what the viewer sees', () => {
  const t = useTestApp();
  let alice: User;
  let project: number;
  let board: string;
  let review: number;
  let backlog: number;

  /** A task tagged #counted by alice, who sees everything, then moved to `column` if given. */
  async function card(title: string, view?: string, column?: number): Promise<number> {
    const id = await createTask(t.domain, alice, { title, ...(view ? { view } : {}) });
    const b = await loggedIn(t.app, 'alice');
    expect((await b.post(`/T${id}/comment`, { addProjects: 'counted' }, `/T${id}`)).status).toBe(303);
    if (column !== undefined) expect((await moveCard(b, board, id, column, { overLimit: '1' })).status).toBe(303);
    return id;
  }

  beforeAll(async () => {
    alice = await createUser(t.db, { username: 'alice', role: 'maintainer' });
    await createUser(t.db, { username: 'erin', role: 'engineer' });
    const b = await loggedIn(t.app, 'alice');
    const created = await b.post('/project/edit/', { name: 'Counted', members: 'erin' }, '/project/edit/');
    project = Number(created.location!.split('/')[3]);
    board = `/project/board/${project}/`;
    expect((await b.post(`${board}columns/`, { name: 'Review', limit: '1' }, `${board}columns/`)).status).toBe(303);
    review = await columnId(t.db, project, 'Review');
    backlog = await columnId(t.db, project, 'Backlog');
  });

  test('a header counts the cards on the board: hidden tasks and filtered-out ones are not counted, and no statement counts them apart', async () => {
    await card('Open to all, zebra');
    await card('Open to all, yak');
    await card('Maintainers only, zebra', 'maintainers');
    const erin = await loggedIn(t.app, 'erin');
    const { result: page, statements } = await recordStatements(t.db, () => erin.get(board));
    const sql = statements.map((q) => q.sql);
    expect(page.status).toBe(200);
    expect(header(page, backlog)).toBe('2');
    expect(page.text).not.toContain('Maintainers only');
    expect(sql.filter((s) => /board_cards/.test(s) && /count\(/i.test(s))).toEqual([]);
    expect(header(await erin.get(`${board}?text=zebra`), backlog)).toBe('1');
    const alicePage = await (await loggedIn(t.app, 'alice')).get(board);
    expect(header(alicePage, backlog)).toBe('3');
  });

  test('a card shows its owner and its other tags, not the board\'s own, read with the cards', async () => {
    const b = await loggedIn(t.app, 'alice');
    expect((await b.post('/project/edit/', { name: 'Elsewhere', color: 'red' }, '/project/edit/')).status).toBe(303);
    const id = await createTask(t.domain, alice, { title: 'Owned and tagged twice', owner: 'erin' });
    expect((await b.post(`/T${id}/comment`, { addProjects: 'counted elsewhere' }, `/T${id}`)).status).toBe(303);
    const page = await (await loggedIn(t.app, 'erin')).get(board);
    const meta = page.dom.querySelector(`.card[data-task="${id}"] .card-meta`)!;
    expect(meta.querySelector('a.owner')!.getAttribute('href')).toBe('/p/erin/');
    expect(meta.querySelector('a.owner')!.textContent).toBe('erin');
    expect(meta.querySelectorAll('a.tag').map((a) => [a.textContent, a.getAttribute('href'), a.classList.contains('tag-red')])).toEqual([['#elsewhere', '/tag/elsewhere/', true]]);
    const byOwner = await (await loggedIn(t.app, 'erin')).get(`${board}?order=owner`);
    const headers = byOwner.dom.querySelector(`.board-column[data-column="${backlog}"]`)!.querySelectorAll('.card-group').map((h) => h.textContent);
    expect(headers).toEqual(['erin', 'Not Assigned']);
  });

  test('a column full only of hidden cards takes a card without asking, and nothing said names them', async () => {
    await card('Secret in review', 'maintainers', review);
    const erin = await loggedIn(t.app, 'erin');
    expect(header(await erin.get(board), review)).toBe('0 / 1');
    const mine = await card('Erin moves this');
    const moved = await moveCard(erin, board, mine, review);
    expect(moved.status).toBe(303);
    expect(header(await erin.get(board), review)).toBe('1 / 1');

    // Now full for erin too: the question counts her card alone.
    const next = await card('Erin moves this too');
    const asked = await moveCard(erin, board, next, review);
    expect(asked.status).toBe(409);
    expect(asked.text).toContain('The column "Review" already holds 1 of 1 cards.');

    const b = await loggedIn(t.app, 'alice');
    expect((await b.post(`${board}columns/${review}/edit`, { name: 'Review', limit: '1', strict: '1' }, `${board}columns/`)).status).toBe(303);
    const strict = await moveCard(erin, board, next, review, { overLimit: '1' });
    expect(strict.status).toBe(409);
    expect(strict.text).toContain('is full (1 / 1) and its limit is strict');
    // For alice, who sees both cards, the same column holds two.
    const third = await card('Alice moves this');
    const hers = await moveCard(b, board, third, review, { overLimit: '1' });
    expect(hers.status).toBe(409);
    expect(hers.text).toContain('is full (2 / 1)');
  });

  test('the columns page counts visible cards, and refusing to delete or bind a column gives no number', async () => {
    const b = await loggedIn(t.app, 'alice');
    expect((await b.post(`${board}columns/`, { name: 'Parked' }, `${board}columns/`)).status).toBe(303);
    const parked = await columnId(t.db, project, 'Parked');
    await card('Hidden and parked', 'maintainers', parked);
    const erin = await loggedIn(t.app, 'erin');
    const columns = await erin.get(`${board}columns/`);
    expect(columns.dom.querySelector(`#column-${parked} .column-cards`)!.textContent).toBe('0 cards');
    const refused = await erin.post(`${board}columns/${parked}/delete`, {}, `${board}columns/`);
    expect(refused.status).toBe(409);
    expect(refused.text).toContain('"Parked" still holds cards: move them out (or hide the column) first.');
    expect(refused.text).not.toMatch(/holds \d/);
    const bind = await erin.post(`${board}columns/${parked}/edit`, { name: 'Parked', status: 'resolved' }, `${board}columns/`);
    expect(bind.status).toBe(409);
    expect(bind.text).toContain('Some open tasks are in this column; move them out before binding it to Resolved.');
  });
});
