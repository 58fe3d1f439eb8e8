import type { Knex } from 'knex';
import { useTestApp } from '../support/app';
import { createTask, createUser } from '../support/factories';
import { formValues, loggedIn, timelineLines, type Browser } from '../support/http';
import type { User } from '../../server/users/user';

/**
 * Moving cards without JavaScript from the task page, and what a move form
 * loaded before someone else's edit does: a plain move is the last word, a
 * move that would change a status someone changed meanwhile is refused.
 */

async function columnId(db: Knex, projectId: number, name: string): Promise<number> {
  return (await db('board_columns').where({ project_id: projectId, name }).first()).id;
}

async function placement(db: Knex, taskId: number): Promise<Record<number, number>> {
  const rows = (await db('board_cards').where({ task_id: taskId }).select('project_id', 'column_id')) as { project_id: number; column_id: number }[];
  return Object.fromEntries(rows.map((r) => [r.project_id, r.column_id]));
}

describe('moving cards from the task page and from stale forms', () => {
  const t = useTestApp();
  let alice: User;
  let backend: number;
  let frontend: number;

  async function project(b: Browser, name: string, columns: [string, string][]): Promise<number> {
    const created = await b.post('/project/edit/', { name }, '/project/edit/');
    const id = Number(created.location!.split('/')[3]);
    for (const [column, status] of columns) {
      expect((await b.post(`/project/board/${id}/columns/`, { name: column, status }, `/project/board/${id}/columns/`)).status).toBe(303);
    }
    return id;
  }

  beforeAll(async () => {
    alice = await createUser(t.db, { username: 'alice', role: 'maintainer' });
    await createUser(t.db, { username: 'bob', role: 'maintainer' });
    const b = await loggedIn(t.app, 'alice');
    backend = await project(b, 'Backend', [
      ['Doing', ''],
      ['Done', 'resolved'],
    ]);
    frontend = await project(b, 'Frontend', [['Review', '']]);
  });

  test('the comment form moves a card on one board and keeps it on another, in one group with the comment', async () => {
    const id = await createTask(t.domain, alice, { title: 'Two boards' });
    const b = await loggedIn(t.app, 'alice');
    expect((await b.post(`/T${id}/comment`, { addProjects: 'backend frontend' }, `/T${id}`)).status).toBe(303);
    const page = await b.get(`/T${id}`);
    const pickers = page.dom.querySelectorAll('form.comment-form select[name="column"]');
    expect(pickers.map((s) => s.querySelector('option[selected]')!.textContent)).toEqual(['Keep Backlog', 'Keep Backlog']);
    const doing = await columnId(t.db, backend, 'Doing');
    // Each board has its picker; the second is left on "Keep".
    const res = await b.agent
      .post(`/T${id}/comment`)
      .type('form')
      .send(`__csrf__=${encodeURIComponent(formValues(page, 'form.comment-form').__csrf__!)}&comment=Starting&column=${doing}&column=`);
    expect(res.status).toBe(303);
    expect(await placement(t.db, id)).toEqual({ [backend]: doing, [frontend]: await columnId(t.db, frontend, 'Backlog') });
    const after = await b.get(`/T${id}`);
    const group = after.dom.querySelectorAll('.timeline .event-group').find((g) => g.textContent.includes('moved this task'))!;
    expect(group.textContent).toContain('Starting');
    expect(timelineLines(after)).toContain('alice moved this task from Backlog to Doing on the #backend board.');
  });

  test('a move form loaded before another move still moves the card: the last move wins, both are events', async () => {
    const id = await createTask(t.domain, alice, { title: 'Stale move' });
    const alicePage = await loggedIn(t.app, 'alice');
    expect((await alicePage.post(`/T${id}/comment`, { addProjects: 'backend' }, `/T${id}`)).status).toBe(303);
    const board = `/project/board/${backend}/`;
    const stale = formValues(await alicePage.get(`${board}move?task=${id}`), 'form.card-move-form');
    const bob = await loggedIn(t.app, 'bob');
    const fresh = formValues(await bob.get(`${board}move?task=${id}`), 'form.card-move-form');
    expect((await bob.post(`${board}move`, { ...fresh, column: String(await columnId(t.db, backend, 'Doing')) }, board)).status).toBe(303);
    expect((await alicePage.post(`${board}move`, { ...stale, column: String(await columnId(t.db, backend, 'Backlog')) }, board)).status).toBe(303);
    expect(await placement(t.db, id)).toEqual({ [backend]: await columnId(t.db, backend, 'Backlog') });
    const lines = timelineLines(await alicePage.get(`/T${id}`));
    expect(lines).toContain('bob moved this task from Backlog to Doing on the #backend board.');
    expect(lines).toContain('alice moved this task from Doing to Backlog on the #backend board.');
  });

  test('a stale drop into a bound column is refused when someone changed the status meanwhile; nothing is written', async () => {
    const id = await createTask(t.domain, alice, { title: 'Stale close' });
    const alicePage = await loggedIn(t.app, 'alice');
    expect((await alicePage.post(`/T${id}/comment`, { addProjects: 'backend' }, `/T${id}`)).status).toBe(303);
    const board = `/project/board/${backend}/`;
    const stale = formValues(await alicePage.get(`${board}move?task=${id}`), 'form.card-move-form');
    const bob = await loggedIn(t.app, 'bob');
    expect((await bob.post(`/T${id}/comment`, { status: 'wontfix' }, `/T${id}`)).status).toBe(303);
    const events = await t.db('task_events').where({ task_id: id }).count<{ n: string }[]>({ n: '*' });
    const refused = await alicePage.post(`${board}move`, { ...stale, column: String(await columnId(t.db, backend, 'Done')) }, board);
    expect(refused.status).toBe(409);
    expect(refused.text).toContain('Someone else changed this while you were editing; it is now "Wontfix".');
    expect(await t.db('task_events').where({ task_id: id }).count<{ n: string }[]>({ n: '*' })).toEqual(events);
    expect((await t.db('tasks').where({ id }).first()).status).toBe('wontfix');
  });
});
