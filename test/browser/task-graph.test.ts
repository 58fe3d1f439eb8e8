import type { Server } from 'node:http';
import { launchChromium, serveOnPort, stopServer } from '../support/chromium';
import { settledSuggestions } from '../support/browser-suite';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startTestApp, stopTestApp, type TestApp } from '../support/app';
import { PASSWORD, createTask, createUser, edit } from '../support/factories';

/**
 * static/js/task-graph.js in a real browser: the picker's typeahead, and the same
 * picker without JavaScript; the open-subtask warning following the status picker.
 * Every page's console is watched, so a script error or a refused script fails the test.
 */


let t: TestApp;
let server: Server;
let browser: Browser;
let base: string;
const contexts: BrowserContext[] = [];
const problems: string[] = [];
const ids = { epic: 0, logs: 0, queues: 0, secret: 0, release: 0 };

beforeAll(async () => {
  t = await startTestApp();
  ({ server, base } = await serveOnPort(t.app));
  browser = await launchChromium();
  const alice = await createUser(t.db, { username: 'alice', role: 'engineer' });
  const mia = await createUser(t.db, { username: 'mia', role: 'maintainer' });
  ids.epic = await createTask(t.domain, alice, { title: 'Quarterly cleanup' });
  ids.logs = await createTask(t.domain, alice, { title: 'Rotate the request logs' });
  ids.queues = await createTask(t.domain, alice, { title: 'Rotate the queue files' });
  ids.secret = await createTask(t.domain, mia, { title: 'Rotate the secret keys', view: 'maintainers' });
  ids.release = await createTask(t.domain, mia, { title: 'Release 2.0' });
  await edit(t.domain, mia, ids.release, { subtasks: { add: [ids.logs] } });
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

async function session(username: string, options: { javaScriptEnabled?: boolean } = {}): Promise<Page> {
  const context = await browser.newContext({ baseURL: base, ...options });
  contexts.push(context);
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()} (${m.location().url})`);
  });
  page.on('pageerror', (e) => problems.push(`exception: ${e.message}`));
  await page.goto('/login');
  await page.fill('#f-username', username);
  await page.fill('#f-password', PASSWORD);
  await Promise.all([page.waitForURL((url) => url.pathname !== '/login'), page.click('form.narrow-form button.primary')]);
  return page;
}

const subtaskIds = async (parent: number) => (await t.db('task_subtasks').where({ parent_id: parent }).orderBy('child_id').pluck('child_id')) as number[];

describe('the related-task picker', () => {
  test('typing suggests visible tasks; choosing by keyboard and by click ticks them; saving links them', async () => {
    const page = await session('alice');
    await page.goto(`/T${ids.epic}`);
    await page.click('.related-actions summary');
    await page.click('.related-actions a:text-is("Edit Subtasks")');
    await page.waitForURL(`**/search/rel/task.has-subtask/${ids.epic}/`);

    const box = page.locator('#picker-q');
    await box.pressSequentially('rota');
    const options = page.locator('.picker-search .typeahead-list [role="option"]');
    await settledSuggestions(options, [`T${ids.queues}: Rotate the queue files`, `T${ids.logs}: Rotate the request logs`]);
    expect(await box.getAttribute('aria-expanded')).toBe('true');

    await box.press('ArrowDown');
    expect(await box.getAttribute('aria-activedescendant')).toMatch(/^typeahead-list-[0-9]+-0$/);
    await box.press('Enter');
    // Enter chose the suggestion; it did not submit the search.
    expect(new URL(page.url()).search).toBe('');
    expect(await page.locator(`input[name="add"][value="${ids.queues}"]`).isChecked()).toBe(true);
    expect(await page.locator('.picker-search .typeahead-list').isHidden()).toBe(true);

    await box.pressSequentially('request');
    await page.locator('.picker-search .typeahead-list [role="option"]', { hasText: 'Rotate the request logs' }).click();
    expect(await page.locator(`input[name="add"][value="${ids.logs}"]`).isChecked()).toBe(true);

    await Promise.all([page.waitForURL(`**/T${ids.epic}`), page.click('#related-form button.primary')]);
    expect(await subtaskIds(ids.epic)).toEqual([ids.logs, ids.queues]);
    await page.locator('.task-graph .graph-row', { hasText: 'Rotate the queue files' }).waitFor();
  });

  test('without JavaScript the same picker is a search form: search, tick, save', async () => {
    const page = await session('mia', { javaScriptEnabled: false });
    await page.goto(`/search/rel/task.has-parent/${ids.secret}/`);
    expect(await page.locator('.picker-search .typeahead-list').count()).toBe(0);
    await page.fill('#picker-q', 'release');
    await Promise.all([page.waitForURL(/q=release/), page.click('form.picker-search button')]);
    await page.check(`input[name="add"][value="${ids.release}"]`);
    await Promise.all([page.waitForURL(`**/T${ids.secret}`), page.click('#related-form button.primary')]);
    expect(await subtaskIds(ids.release)).toContain(ids.secret);
  });
});

describe('the open-subtask warning', () => {
  test('shows while a closing status is chosen, and always without JavaScript', async () => {
    const page = await session('mia');
    await page.goto(`/T${ids.release}`);
    const warning = page.locator('.subtask-warning');
    expect(await warning.isHidden()).toBe(true);
    await page.selectOption('select[name="status"]', 'resolved');
    expect(await warning.isVisible()).toBe(true);
    expect(await warning.textContent()).toContain(`T${ids.release} has`);
    await page.selectOption('select[name="status"]', '');
    expect(await warning.isHidden()).toBe(true);

    const plain = await session('mia', { javaScriptEnabled: false });
    await plain.goto(`/T${ids.release}`);
    expect(await plain.locator('.subtask-warning').isVisible()).toBe(true);
  });
});
