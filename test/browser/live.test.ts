import type { Page } from 'playwright-core';
import { useBrowserSuite } from '../support/browser-suite';
import { createTask, createUser } from '../support/factories';

/**
 * Live pages between two browser windows: what one person does shows on the
 * other's open task page within seconds, without a reload and without losing
 * what the other was typing; an open list says how many tasks changed.
 */

let taskId = 0;
const suite = useBrowserSuite(async (t) => {
  const mia = await createUser(t.db, { username: 'mia', role: 'maintainer' });
  await createUser(t.db, { username: 'alice', role: 'engineer' });
  await createUser(t.db, { username: 'bob', role: 'engineer' });
  taskId = await createTask(t.domain, mia, { title: 'Printer on fire', view: 'users', priority: 'normal' });
});

const session = (username: string): Promise<Page> => suite.open(username);

/** Waits, with the page's own clock, until its timeline holds the text. */
async function timelineShows(page: Page, text: string, ms = 4000) {
  await page.waitForFunction((t) => (document.querySelector('.timeline')?.textContent ?? '').includes(t), text, { timeout: ms });
}

test("another person's comment, priority and comment edit appear on an open task page, and the draft typed there stays", async () => {
  const [alice, bob] = await Promise.all([session('alice'), session('bob')]);
  await Promise.all([alice.goto(`/T${taskId}`), bob.goto(`/T${taskId}`)]);
  // The stream is open once the page has loaded its script; a change before that is caught up on connecting.
  await bob.fill('#comment-text', 'A draft bob is still writing.');

  await alice.fill('#comment-text', 'Smoke from tray 2.');
  await alice.selectOption('select[name="priority"]', 'high');
  await Promise.all([alice.waitForURL((url) => url.pathname === `/T${taskId}`), alice.click('form.comment-form button.primary')]);

  await timelineShows(bob, 'Smoke from tray 2.');
  await bob.waitForFunction(() => (document.querySelector('.state-tag')?.textContent ?? '').includes('High'));
  expect(await bob.inputValue('#comment-text')).toBe('A draft bob is still writing.');
  expect(bob.url()).toBe(`${suite.base}/T${taskId}`);

  // An edit of the comment shows too, marked as edited.
  await alice.click('.comment-edit');
  await alice.fill('#comment-text', 'Smoke from tray 3, not 2.');
  await Promise.all([alice.waitForURL((url) => url.pathname === `/T${taskId}`), alice.click('form.comment-edit-form button[type="submit"]')]);
  await timelineShows(bob, 'Smoke from tray 3, not 2.');
  expect(await bob.locator('.comment-edited').count()).toBe(1);
});

test('an open list says how many tasks changed since it was loaded, with a link to refresh', async () => {
  const [alice, bob] = await Promise.all([session('alice'), session('bob')]);
  await bob.goto('/maniphest/query/all/');
  await bob.waitForFunction(() => document.querySelector('[data-live-list]') !== null);
  // The list's stream opens after the page's script runs; wait until the server holds it.
  for (let i = 0; i < 50 && suite.t.deps.live.size < 1; i++) await new Promise((r) => setTimeout(r, 100));

  await alice.goto(`/T${taskId}`);
  await alice.fill('#comment-text', 'Listed change.');
  await Promise.all([alice.waitForURL((url) => url.pathname === `/T${taskId}`), alice.click('form.comment-form button.primary')]);

  await bob.waitForFunction(() => (document.querySelector('.live-bar')?.textContent ?? '') === '1 task changed — refresh', undefined, { timeout: 4000 });
  await Promise.all([bob.waitForLoadState('load'), bob.click('.live-bar a')]);
  expect(await bob.locator('.live-bar').count()).toBe(0);
});
