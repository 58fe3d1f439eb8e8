import type { Page } from 'playwright-core';
import { createProject } from '../../server/projects/edit';
import { ProjectInput } from '../../server/projects/project';
import { settledSuggestions, useBrowserSuite } from '../support/browser-suite';
import { createTask, createUser, edit } from '../support/factories';

/**
 * Keyboard first, in a real browser: the shortcuts (never while typing), the
 * jump box in the top bar, and the shared typeahead of fields that name people,
 * projects and tasks. Each page's console is watched, so a script error or a
 * Content-Security-Policy refusal fails the test that caused it.
 */

const ids = { first: 0, second: 0, commented: 0, secret: 0 };
const suite = useBrowserSuite(async (t) => {
  const mia = await createUser(t.db, { username: 'mia', role: 'maintainer', realname: 'Mia Wong' });
  await createUser(t.db, { username: 'alice', role: 'engineer', realname: 'Alice Moreau' });
  await createUser(t.db, { username: 'albert', role: 'engineer' });
  await createProject(t.db, mia, ProjectInput.parse({ name: 'Backend Platform', hashtags: 'backend' }));
  ids.first = await createTask(t.domain, mia, { title: 'Rotate the request logs' });
  ids.second = await createTask(t.domain, mia, { title: 'Rotate the queue files' });
  ids.commented = await createTask(t.domain, mia, { title: 'Release checklist' });
  ids.secret = await createTask(t.domain, mia, { title: 'Rotate the leaked key', view: 'maintainers' });
  await edit(t.domain, mia, ids.commented, { comment: 'First point of the checklist.' });
  await edit(t.domain, mia, ids.commented, { comment: 'Second point of the checklist.' });
});
const session = (username: string | null) => suite.open(username);

const path = (page: Page) => new URL(page.url()).pathname + new URL(page.url()).search;

describe('shortcuts', () => {
  test('? shows the help, Escape closes it; / focuses the jump box; c creates a task', async () => {
    const page = await session('mia');
    await page.goto('/maniphest/');
    await page.keyboard.press('?');
    const help = page.locator('dialog.shortcut-help');
    await help.waitFor({ state: 'visible' });
    expect(await help.locator('dt').allTextContents()).toContain('j / k');
    await page.keyboard.press('Escape');
    await help.waitFor({ state: 'hidden' });

    await page.keyboard.press('/');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('jump-box');
    // Typed into the box, j and c are text, not shortcuts.
    await page.keyboard.type('jc');
    expect(await page.inputValue('#jump-box')).toBe('jc');
    expect(path(page)).toBe('/maniphest/');

    await page.locator('#jump-box').blur();
    await Promise.all([page.waitForURL('**/maniphest/task/edit/'), page.keyboard.press('c')]);
  });

  test('j and k move through list rows; o and Enter open the selected task', async () => {
    const page = await session('mia');
    await page.goto('/maniphest/query/all/');
    const titles = await page.locator('.task-row a.task-title').allTextContents();
    await page.keyboard.press('j');
    await page.keyboard.press('j');
    await page.keyboard.press('k');
    expect(await page.locator('.task-row.kbd-selected a.task-title').textContent()).toBe(titles[0]);
    await page.keyboard.press('j');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe(titles[1]);
    const second = await page.locator('.task-row.kbd-selected a.task-title').getAttribute('href');
    await Promise.all([page.waitForURL(`**${second}`), page.keyboard.press('o')]);

    await page.goBack();
    await page.keyboard.press('j');
    const first = await page.locator('.task-row.kbd-selected a.task-title').getAttribute('href');
    await Promise.all([page.waitForURL(`**${first}`), page.keyboard.press('Enter')]);
  });

  test('on a task: r focuses the comment box, j picks a comment and q quotes it, e edits', async () => {
    const page = await session('mia');
    await page.goto(`/T${ids.commented}`);
    await page.keyboard.press('r');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('comment-text');
    // In the comment box, e and q are letters.
    await page.keyboard.type('eq');
    expect(await page.inputValue('#comment-text')).toBe('eq');
    await page.fill('#comment-text', '');
    await page.locator('#comment-text').blur();

    const groups = page.locator('.timeline .event-group');
    const withComment = await groups.evaluateAll((all) => all.findIndex((g) => g.querySelector('.comment')));
    for (let i = 0; i <= withComment; i++) await page.keyboard.press('j');
    expect(await page.locator('.event-group.kbd-selected .comment').textContent()).toContain('First point');
    await page.keyboard.press('q');
    await page.waitForFunction(() => (document.getElementById('comment-text') as HTMLTextAreaElement).value.includes('First point'));
    expect(await page.inputValue('#comment-text')).toContain('> First point of the checklist.');

    await page.locator('#comment-text').blur();
    await Promise.all([page.waitForURL(`**/maniphest/task/edit/${ids.commented}/`), page.keyboard.press('e')]);
  });
});

describe('the jump box', () => {
  test('T123 opens the task, #tag the project, @name the person, words a search', async () => {
    const page = await session('mia');
    await page.goto('/maniphest/');
    for (const [typed, to] of [
      [`T${ids.second}`, `/T${ids.second}`],
      ['#backend', '/tag/backend/'],
      ['@alice', '/p/alice/'],
      ['queue files', '/maniphest/query/?text=queue%20files'],
    ]) {
      await page.fill('#jump-box', typed!);
      await Promise.all([page.waitForURL((url) => url.pathname + url.search === to), page.press('#jump-box', 'Enter')]);
    }
    expect(await page.locator('.task-row a.task-title').allTextContents()).toEqual(['Rotate the queue files']);
  });

  test('suggests tasks while typing, and choosing one opens it', async () => {
    const page = await session('alice');
    await page.goto('/maniphest/');
    await page.locator('#jump-box').pressSequentially('rota');
    // The maintainers' task is not suggested to an engineer.
    await settledSuggestions(page.locator('.jump [role="option"]'), [`T${ids.first}: Rotate the request logs`, `T${ids.second}: Rotate the queue files`], { anyOrder: true });
    await page.keyboard.press('ArrowDown');
    const chosen = (await page.locator('.jump [aria-selected="true"]').textContent())!.split(':')[0];
    await Promise.all([page.waitForURL(`**/${chosen}`), page.keyboard.press('Enter')]);
  });

  test('works without JavaScript', async () => {
    const page = await suite.open('mia', { javaScriptEnabled: false });
    await page.fill('#jump-box', `T${ids.first}`);
    await Promise.all([page.waitForURL(`**/T${ids.first}`), page.press('#jump-box', 'Enter')]);
  });
});

describe('typeahead in forms', () => {
  test('the owner field suggests people; a list of names completes the last one', async () => {
    const page = await session('mia');
    await page.goto(`/T${ids.first}`);
    const owner = page.locator('form.comment-form input[name="owner"]');
    await owner.pressSequentially('mor');
    const option = page.locator('form.comment-form [role="option"]');
    await settledSuggestions(option, ['alice (Alice Moreau)']);
    await option.first().click();
    expect(await owner.inputValue()).toBe('alice');
    expect(await owner.getAttribute('aria-expanded')).toBe('false');

    await page.goto('/maniphest/query/all/');
    await page.locator('details.query-form').evaluate((d) => {
      (d as HTMLDetailsElement).open = true;
    });
    const subscribers = page.locator('form.filters input[name="subscribers"]');
    await subscribers.fill('mia, al');
    await subscribers.pressSequentially('b');
    await settledSuggestions(page.locator('form.filters [role="option"]'), ['albert']);
    await subscribers.press('ArrowDown');
    await subscribers.press('Enter');
    expect(await subscribers.inputValue()).toBe('mia, albert, ');
  });

  test('tags suggest projects by name', async () => {
    const page = await session('mia');
    await page.goto(`/T${ids.first}`);
    await page.locator('form.comment-form input[name="addProjects"]').pressSequentially('platf');
    await settledSuggestions(page.locator('form.comment-form [role="option"]'), ['#backend (Backend Platform)']);
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    expect(await page.inputValue('form.comment-form input[name="addProjects"]')).toBe('#backend, ');
  });
});

describe('the comment form', () => {
  test('Submit stays where it was after Preview, and select-all sits above the list', async () => {
    const page = await session('mia');
    await page.goto(`/T${ids.first}`);
    await page.fill('#comment-text', '# Plan\n\nOne\n\nTwo\n\nThree');
    const submit = page.locator('form.comment-form button.primary');
    // Where it sits in the page, not in the window: a taller page may scroll the window a little.
    const place = () => submit.evaluate((el) => {
      const r = el.getBoundingClientRect();
      return { x: r.left + window.scrollX, y: r.top + window.scrollY, width: r.width, height: r.height };
    });
    const before = await place();
    await page.click('form.comment-form button.preview-button');
    await page.locator('form.comment-form .preview h1').waitFor();
    expect(await place()).toEqual(before);

    await page.goto('/maniphest/query/all/');
    const selectAll = await page.locator('label.select-all').boundingBox();
    const firstRow = await page.locator('.task-row').first().boundingBox();
    expect(selectAll!.y).toBeLessThan(firstRow!.y);
    await page.check('label.select-all input');
    expect(await page.locator('input.select-task:checked').count()).toBe(await page.locator('.task-row').count());
  });
});
