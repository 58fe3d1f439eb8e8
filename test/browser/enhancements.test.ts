import type { Server } from 'node:http';
import { launchChromium, serveOnPort, stopServer } from '../support/chromium';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startTestApp, stopTestApp, type TestApp } from '../support/app';
import { PASSWORD, createTask, createUser, edit } from '../support/factories';

/**
 * The enhancements of static/js/trellis.js in a real browser: hovercards,
 * Quote and Preview, and the plain links and forms they enhance. Every page's
 * console is watched, so a script error or a Content-Security-Policy refusal
 * fails the test that caused it.
 */


let t: TestApp;
let server: Server;
let browser: Browser;
let base: string;
const contexts: BrowserContext[] = [];
/** Console errors, uncaught exceptions and dialogs of the current test's pages. */
const problems: string[] = [];

const ids = { target: 0, secret: 0, main: 0, draft: 0, comment: 0 };
const COMMENT = (secret: number, target: number) => `Blocked by T${target}, see also T${secret} and T999999.\nSecond line of the note.`;

beforeAll(async () => {
  t = await startTestApp();
  ({ server, base } = await serveOnPort(t.app));
  // launch() starts Chromium on a fresh temporary profile and deletes it on close, so no cache,
  // cookie or setting of an earlier run leaks in; each test then opens its own context.
  browser = await launchChromium();

  const alice = await createUser(t.db, { username: 'alice', role: 'engineer' });
  await createUser(t.db, { username: 'bob', role: 'engineer' });
  const mia = await createUser(t.db, { username: 'mia', role: 'maintainer' });
  ids.target = await createTask(t.domain, alice, { title: 'Search results are stale', priority: 'high', owner: 'bob' });
  ids.secret = await createTask(t.domain, mia, { title: 'Rotate the leaked deploy key', view: 'maintainers' });
  ids.main = await createTask(t.domain, alice, { title: 'Release checklist for 2.0' });
  ids.draft = await createTask(t.domain, alice, { title: 'Write the upgrade notes' });
  const { events } = await edit(t.domain, alice, ids.main, { comment: COMMENT(ids.secret, ids.target) });
  ids.comment = events.find((e) => e.type === 'comment')!.id;
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

/** A new browser window, logged in as `username` through the login form, with its console watched. */
async function session(username: string, options: { javaScriptEnabled?: boolean } = {}): Promise<Page> {
  const context = await browser.newContext({ baseURL: base, ...options });
  contexts.push(context);
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()} (${m.location().url})`);
  });
  page.on('pageerror', (e) => problems.push(`exception: ${e.message}`));
  page.on('dialog', (d) => {
    problems.push(`dialog: ${d.message()}`);
    void d.dismiss();
  });
  await page.goto('/login');
  await page.fill('#f-username', username);
  await page.fill('#f-password', PASSWORD);
  await Promise.all([page.waitForURL((url) => url.pathname !== '/login'), page.click('form.narrow-form button.primary')]);
  return page;
}

/** What a hovercard says: its heading and its Status, Priority and Assigned rows. */
async function cardFacts(page: Page): Promise<Record<string, string>> {
  return page.locator('#hovercard').evaluate((card) => {
    const facts: Record<string, string> = { heading: card.querySelector('h3')?.textContent?.trim() ?? '' };
    for (const dt of card.querySelectorAll('dt')) facts[dt.textContent?.trim() ?? ''] = dt.nextElementSibling?.textContent?.trim() ?? '';
    return facts;
  });
}

const visibleCard = () => ({ heading: `T${ids.target}: Search results are stale`, Status: 'Open', Priority: 'High', Assigned: 'bob' });

/** Waits for the page the comment form leads to: the task, showing the new comment of `author`. */
async function newComment(page: Page, author: string) {
  await page.locator('.event-group .event', { hasText: `${author} added a comment.` }).waitFor();
}

/** alice's comment on the main task, found by its anchor. */
const commentOf = (page: Page) => page.locator(`[id="${ids.comment}"] .comment`);

describe('hovercards', () => {
  test('hovering a task link in a comment shows its card, and moving away hides it', async () => {
    const page = await session('bob');
    await page.goto(`/T${ids.main}`);
    const link = commentOf(page).locator(`a[href="/T${ids.target}"]`);

    await link.hover();
    await page.locator('#hovercard').waitFor({ state: 'visible' });
    expect(await cardFacts(page)).toEqual(visibleCard());
    expect(await link.getAttribute('aria-describedby')).toBe('hovercard');

    await page.locator('.task-header h1').hover();
    await page.locator('#hovercard').waitFor({ state: 'detached' });
    expect(await link.getAttribute('aria-describedby')).toBeNull();
  });

  test('reaching a task link with Tab shows its card, and Escape hides it', async () => {
    const page = await session('bob');
    await page.goto(`/T${ids.main}`);
    // A click on the comment's first word puts the keyboard's starting point just before the link.
    await commentOf(page).locator('p').first().click({ position: { x: 2, y: 2 } });
    await page.keyboard.press('Tab');
    expect(await page.locator('a:focus').getAttribute('href')).toBe(`/T${ids.target}`);

    await page.locator('#hovercard').waitFor({ state: 'visible' });
    expect(await cardFacts(page)).toEqual(visibleCard());

    await page.keyboard.press('Escape');
    await page.locator('#hovercard').waitFor({ state: 'detached' });
    expect(await page.locator('a:focus').getAttribute('href')).toBe(`/T${ids.target}`);
  });

  test('a card that arrives after the pointer has left is not shown', async () => {
    const page = await session('bob');
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    await page.route(`**/T${ids.target}/hovercard`, async (route) => {
      await held;
      await route.continue();
    });
    await page.goto(`/T${ids.main}`);

    const asked = page.waitForRequest(`${base}/T${ids.target}/hovercard`);
    await commentOf(page).locator(`a[href="/T${ids.target}"]`).hover();
    const request = await asked;
    await page.locator('.task-header h1').hover();
    release();
    await (await request.response())!.finished();
    // Let the page's script consume the response and paint.
    await page.evaluate('new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))');

    expect(await page.locator('.hovercard').count()).toBe(0);
  });

  test('a task the viewer may not see is plain text with no card, like a task that does not exist', async () => {
    const page = await session('bob');
    const cardRequests: string[] = [];
    page.on('request', (r) => {
      if (r.url().endsWith('/hovercard')) cardRequests.push(new URL(r.url()).pathname);
    });
    await page.goto(`/T${ids.main}`);
    const comment = commentOf(page);

    expect((await comment.textContent())!.replace(/\s+/g, ' ').trim()).toBe(
      `Blocked by T${ids.target}, see also T${ids.secret} and T999999. Second line of the note.`,
    );
    expect(await comment.locator('a').evaluateAll((links) => links.map((a) => a.getAttribute('href')))).toEqual([`/T${ids.target}`]);
    expect(await page.locator(`[data-hovercard="/T${ids.secret}/hovercard"]`).count()).toBe(0);

    // The pointer rests on the hidden task's number, then moves to a visible link, whose card is the one shown.
    const box = await comment.locator('p').first().evaluate((p, word) => {
      const text = [...p.childNodes].find((n) => n.nodeType === Node.TEXT_NODE && n.textContent?.includes(word))!;
      const range = p.ownerDocument.createRange();
      const at = text.textContent!.indexOf(word);
      range.setStart(text, at);
      range.setEnd(text, at + word.length);
      const r = range.getBoundingClientRect();
      return { x: r.left + r.width / 2, y: r.top + r.height / 2 };
    }, `T${ids.secret}`);
    await page.mouse.move(box.x, box.y);
    await comment.locator(`a[href="/T${ids.target}"]`).hover();
    await page.locator('#hovercard').waitFor({ state: 'visible' });
    expect(await cardFacts(page)).toEqual(visibleCard());
    expect(await page.locator('.hovercard').count()).toBe(1);
    expect(cardRequests).toEqual([`/T${ids.target}/hovercard`]);

    const direct = await page.request.get(`/T${ids.secret}/hovercard`);
    expect(direct.status()).toBe(404);
    expect(await direct.text()).not.toContain('Rotate the leaked deploy key');
  });

  test('a maintainer, who may see that task, gets its link and card', async () => {
    const page = await session('mia');
    await page.goto(`/T${ids.main}`);
    await commentOf(page).locator(`a[href="/T${ids.secret}"]`).hover();
    await page.locator('#hovercard').waitFor({ state: 'visible' });
    expect(await cardFacts(page)).toEqual({ heading: `T${ids.secret}: Rotate the leaked deploy key`, Status: 'Open', Priority: 'Needs Triage', Assigned: 'None' });
  });
});

describe('Quote', () => {
  const quote = () =>
    `In T${ids.main}#${ids.comment}, @alice wrote:\n\n` +
    `> Blocked by T${ids.target}, see also T${ids.secret} and T999999.\n> Second line of the note.\n\n`;

  test('Quote adds the comment to what is already typed, and the posted reply links back to it', async () => {
    const page = await session('bob');
    await page.goto(`/T${ids.main}`);
    const box = page.locator('#comment-text');
    await box.fill('I agree with this.');

    await page.locator(`[id="${ids.comment}"] a.quote`).click();
    await page.waitForFunction(() => (document.getElementById('comment-text') as HTMLTextAreaElement).value.includes('wrote:'));
    expect(await box.inputValue()).toBe(`I agree with this.\n\n${quote()}`);
    expect(page.url()).toBe(`${base}/T${ids.main}`);

    await box.press('End');
    await box.pressSequentially('Shipping it.');
    await page.click('form.comment-form button.primary');
    await newComment(page, 'bob');

    expect(page.url()).toBe(`${base}/T${ids.main}`);
    const reply = page.locator('.event-group').last();
    expect(await reply.locator('.event').allTextContents()).toEqual(['bob added a comment.']);
    expect(await reply.locator('.comment > p').allTextContents()).toEqual(['I agree with this.', `In T${ids.main}#${ids.comment}, @alice wrote:`, 'Shipping it.']);
    expect((await reply.locator('.comment blockquote').textContent())!.replace(/\s+/g, ' ').trim()).toBe(
      `Blocked by T${ids.target}, see also T${ids.secret} and T999999. Second line of the note.`,
    );
    const back = reply.locator(`.comment a[href="/T${ids.main}#${ids.comment}"]`);
    expect(await back.textContent()).toBe(`T${ids.main}#${ids.comment}`);
    await back.click();
    expect(page.url()).toBe(`${base}/T${ids.main}#${ids.comment}`);
    expect(await page.locator(`[id="${ids.comment}"] .event`).allTextContents()).toEqual(['alice added a comment.']);
    expect(await page.locator('#comment-text').inputValue()).toBe('');
  });

  test('without JavaScript, Quote loads the page with the quote in the box, and task links are plain links', async () => {
    const page = await session('bob', { javaScriptEnabled: false });
    await page.goto(`/T${ids.main}`);
    expect(await page.locator('button.preview-button').count()).toBe(0);

    await Promise.all([page.waitForURL(/\?quote=/), page.locator(`[id="${ids.comment}"] a.quote`).click()]);
    expect(page.url()).toBe(`${base}/T${ids.main}?quote=${ids.comment}#comment`);
    expect(await page.locator('#comment-text').inputValue()).toBe(quote());

    await Promise.all([page.waitForURL(`${base}/T${ids.target}`), commentOf(page).locator(`a[href="/T${ids.target}"]`).click()]);
    expect(await page.locator('.task-header .title').textContent()).toBe('Search results are stale');
    expect(await page.locator('#hovercard').count()).toBe(0);
  });
});

describe('Preview', () => {
  const DRAFT = (target: number) => `## Plan\n\nShip once T${target} lands.\n\n<b>bold?</b> <img src=x onerror=alert(1)>`;

  test('Preview renders a comment through the server renderer, and posting it shows the same comment', async () => {
    const page = await session('bob');
    await page.goto(`/T${ids.draft}`);
    await page.locator('#comment-text').fill(DRAFT(ids.target));
    await page.getByRole('button', { name: 'Preview' }).click();

    const preview = page.locator('.comment-form .preview');
    await preview.locator('h2').waitFor({ state: 'visible' });
    expect(await preview.locator('h2').textContent()).toBe('Plan');
    const ref = preview.locator(`a[href="/T${ids.target}"]`);
    expect(await ref.textContent()).toBe(`T${ids.target}`);
    expect(await ref.getAttribute('title')).toBe(`T${ids.target}: Search results are stale`);
    // Raw HTML arrives as text: no element of it exists, its source is visible.
    expect(await preview.locator('b, img').count()).toBe(0);
    expect(await preview.locator('p').last().textContent()).toBe('<b>bold?</b> <img src=x onerror=alert(1)>');
    const previewed = await preview.innerHTML();

    await page.click('form.comment-form button.primary');
    await newComment(page, 'bob');
    expect(page.url()).toBe(`${base}/T${ids.draft}`);
    const posted = page.locator('.event-group').last();
    expect(await posted.locator('.event').allTextContents()).toEqual(['bob added a comment.']);
    expect(await posted.locator('.comment').innerHTML()).toBe(previewed);
    expect(await page.locator('#comment-text').inputValue()).toBe('');
  });

  test('the edit form previews the description, full task names included', async () => {
    const page = await session('alice');
    await page.goto(`/maniphest/task/edit/${ids.draft}/`);
    await page.locator('#f-description').fill(`Depends on {T${ids.target}}.\n\n- [ ] notes\n- [x] draft`);
    await page.getByRole('button', { name: 'Preview' }).click();

    const preview = page.locator('.task-form .preview');
    const full = preview.locator(`a[href="/T${ids.target}"]`);
    await full.waitFor({ state: 'visible' });
    expect(await full.textContent()).toBe(`T${ids.target}: Search results are stale`);
    expect(await full.getAttribute('class')).toContain('full');
    expect((await preview.locator('li').allTextContents()).map((s) => s.trim())).toEqual(['notes', 'draft']);
    expect(await preview.locator('input[type="checkbox"]:checked').count()).toBe(1);
    // Previewing saves nothing.
    expect(await page.locator('#f-description').inputValue()).toBe(`Depends on {T${ids.target}}.\n\n- [ ] notes\n- [x] draft`);
    expect((await t.db('tasks').where({ id: ids.draft }).first()).description).toBe('');
  });
});
