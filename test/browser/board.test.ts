import type { Server } from 'node:http';
import { launchChromium, serveOnPort, stopServer } from '../support/chromium';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { addColumn } from '../../server/projects/columns';
import { createProject } from '../../server/projects/edit';
import { ProjectInput } from '../../server/projects/project';
import type { User } from '../../server/users/user';
import { startTestApp, stopTestApp, type TestApp } from '../support/app';
import { PASSWORD, createTask, createUser, edit } from '../support/factories';

/**
 * Drag and drop on a workboard (static/js/board.js) in a real browser: moves
 * between columns, reordering within one, a bound column, a card limit's
 * confirmation. Console errors and CSP refusals fail the test.
 */


let t: TestApp;
let server: Server;
let browser: Browser;
let base: string;
let mia: User;
let project: number;
const contexts: BrowserContext[] = [];
const problems: string[] = [];
/** What each confirmation dialog said; the test decides whether to accept. */
const dialogs: string[] = [];
let acceptDialogs = true;

beforeAll(async () => {
  t = await startTestApp();
  ({ server, base } = await serveOnPort(t.app));
  browser = await launchChromium();
  mia = await createUser(t.db, { username: 'mia', role: 'maintainer' });
  project = await createProject(t.db, mia, ProjectInput.parse({ name: 'Board' }));
  await addColumn(t.db, t.tracker, mia, project, { name: 'Doing', status: '', limit: '1', strict: '' });
  await addColumn(t.db, t.tracker, mia, project, { name: 'Done', status: 'resolved', limit: '', strict: '' });
});

afterAll(async () => {
  await browser?.close();
  await stopServer(server);
  await stopTestApp(t);
});

afterEach(async () => {
  await Promise.all(contexts.splice(0).map((c) => c.close()));
  const seen = problems.splice(0);
  const logged = t.errors.splice(0);
  if (seen.length || logged.length) throw new Error(`Unexpected errors:\n${[...seen, ...logged].join('\n')}`);
});

async function session(username: string): Promise<Page> {
  const context = await browser.newContext({ baseURL: base });
  contexts.push(context);
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  page.on('console', (m) => {
    // A move the board refuses (a full column) answers 409, which Chromium logs; the test checks what follows.
    const refusedMove = /status of 409/.test(m.text()) && m.location().url.endsWith('/move');
    if (m.type() === 'error' && !refusedMove) problems.push(`console: ${m.text()} (${m.location().url})`);
  });
  page.on('pageerror', (e) => problems.push(`exception: ${e.message}`));
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void (acceptDialogs ? d.accept() : d.dismiss());
  });
  await page.goto('/login');
  await page.fill('#f-username', username);
  await page.fill('#f-password', PASSWORD);
  await Promise.all([page.waitForURL((url) => url.pathname !== '/login'), page.click('form.narrow-form button.primary')]);
  return page;
}

async function taggedTask(title: string): Promise<number> {
  const id = await createTask(t.domain, mia, { title, owner: 'mia' });
  await edit(t.domain, mia, id, { projects: { add: [project] } });
  return id;
}

const column = (page: Page, name: string) => page.locator('.board-column', { has: page.locator('h2', { hasText: name }) });
const monograms = (page: Page, name: string) => column(page, name).locator('.card .monogram').allTextContents();

/** Drags a card onto a target and waits for the page to load again. */
async function dragAndReload(page: Page, source: string, target: string) {
  await Promise.all([page.waitForEvent('load'), page.locator(source).dragTo(page.locator(target))]);
}

test('without the script each card has a Move form; with it the forms hide and cards drag', async () => {
  await taggedTask('Visible card');
  const page = await session('mia');
  await page.goto(`/project/board/${project}/`);
  expect(await page.locator('.board').getAttribute('class')).toContain('enhanced');
  expect(await page.locator('.card').first().getAttribute('draggable')).toBe('true');
  expect(await page.locator('.card-move').first().isVisible()).toBe(false);
});

test('dragging a card to another column moves it; dragging within a column reorders it and the order stays', async () => {
  const [a, b, c] = [await taggedTask('Card A'), await taggedTask('Card B'), await taggedTask('Card C')];
  const page = await session('mia');
  await page.goto(`/project/board/${project}/`);
  // New cards go to the top: C, B, A.
  const backlog = await monograms(page, 'Backlog');
  expect(backlog.indexOf(`T${c}`)).toBeLessThan(backlog.indexOf(`T${a}`));

  await dragAndReload(page, `.card[data-task="${a}"]`, `.card[data-task="${c}"]`);
  const reordered = await monograms(page, 'Backlog');
  expect(reordered.indexOf(`T${a}`)).toBeLessThan(reordered.indexOf(`T${c}`));
  // One event for joining the board (not shown), one for the new place among its neighbours.
  expect((await t.db('task_events').where({ task_id: a, type: 'column' })).length).toBe(2);

  await dragAndReload(page, `.card[data-task="${b}"]`, `${'.board-column'}:has(h2:text("Doing")) .cards`);
  expect(await monograms(page, 'Doing')).toEqual([`T${b}`]);
  expect((await t.db('board_cards').where({ task_id: b }).first()).column_id).toBe((await t.db('board_columns').where({ project_id: project, name: 'Doing' }).first()).id);
});

test('a drop into a bound column closes the task; a drop into a full column asks first', async () => {
  const [d, e, f] = [await taggedTask('Card D'), await taggedTask('Card E'), await taggedTask('Card F')];
  const doing = (await t.db('board_columns').where({ project_id: project, name: 'Doing' }).first()).id;
  await t.db('board_cards').whereNot({ task_id: f }).where({ column_id: doing }).update({ column_id: (await t.db('board_columns').where({ project_id: project, name: 'Backlog' }).first()).id });
  await edit(t.domain, mia, f, { column: { column: doing } });
  const page = await session('mia');
  await page.goto(`/project/board/${project}/`);
  await dragAndReload(page, `.card[data-task="${d}"]`, `.board-column:has(h2:text("Done")) .cards`);
  expect(await monograms(page, 'Done')).toContain(`T${d}`);
  expect((await t.db('tasks').where({ id: d }).first()).status).toBe('resolved');

  // Doing holds one card already and allows one: refusing the question leaves the card where it was.
  acceptDialogs = false;
  await dragAndReload(page, `.card[data-task="${e}"]`, `.board-column:has(h2:text("Doing")) .cards`);
  expect(dialogs.pop()).toContain('already holds 1 of 1 cards');
  expect(await monograms(page, 'Backlog')).toContain(`T${e}`);
  acceptDialogs = true;
  await dragAndReload(page, `.card[data-task="${e}"]`, `.board-column:has(h2:text("Doing")) .cards`);
  expect(await monograms(page, 'Doing')).toContain(`T${e}`);
  expect(await column(page, 'Doing').locator('.column-header').getAttribute('class')).toContain('over-limit');
});
