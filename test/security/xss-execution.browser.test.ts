import type { Server } from 'node:http';
import { launchChromium, serveOnPort, stopServer } from '../support/chromium';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { withoutNul } from '../../server/db/text';
import { createProject } from '../../server/projects/edit';
import { ProjectInput } from '../../server/projects/project';
import type { User } from '../../server/users/user';
import { startTestApp, stopTestApp, type TestApp } from '../support/app';
import { PASSWORD, createTask, createUser, edit } from '../support/factories';
import { loggedIn } from '../support/http';
import { XSS_PAYLOADS } from '../support/xss-corpus';
import { activeInDom } from './active-dom';

/**
 * The XSS corpus (test/support/xss-corpus.ts) stored in every field a person
 * can fill (task title, description and comment, real name, email, saved
 * query name, API token name) and typed into every field the app echoes back
 * (search text, preview), then every page that shows them opened in headless
 * Chromium with the Content-Security-Policy switched off, so that only the
 * app's escaping stands between a payload and its execution. A payload that
 * runs calls alert(), confirm() or prompt(), which report to the test; any
 * dialog, any request to another site, and any event-handler attribute,
 * script, frame or non-http(s) link in the rendered DOM fails the test too.
 */

/** Pages opened at once: enough to overlap server and browser work on two cores. */
const TABS = 4;

// Several hundred page loads: minutes on a busy two-core machine.
jest.setTimeout(300_000);

let t: TestApp;
let server: Server;
let browser: Browser;
let context: BrowserContext;
let base: string;
/** Everything that ran, or could have: each entry names the page. */
const fired: string[] = [];
const ids: number[] = [];
const users: User[] = [];
const projects: number[] = [];
let gallery = 0;
let bulkUrl = '';

async function watched(page: Page): Promise<Page> {
  page.on('dialog', (d) => {
    fired.push(`dialog on ${page.url()}: ${d.message()}`);
    void d.dismiss();
  });
  return page;
}

/** Opens `path` and reports what ran or could run there. */
async function check(page: Page, path: string): Promise<void> {
  const res = await page.goto(path, { waitUntil: 'domcontentloaded' });
  // Let images fail and their handlers, if any survived, run.
  await page.waitForLoadState('load');
  if (!res || res.status() >= 500) fired.push(`${path} answered ${res?.status()}`);
  for (const p of await page.evaluate(activeInDom)) fired.push(`${path}: ${p}`);
}

/** Runs `visit` on every item, TABS pages at a time. */
async function inTabs<T>(items: T[], visit: (page: Page, item: T) => Promise<void>): Promise<void> {
  const pages = await Promise.all(Array.from({ length: TABS }, async () => watched(await context.newPage())));
  let next = 0;
  await Promise.all(
    pages.map(async (page) => {
      while (next < items.length) await visit(page, items[next++]!);
    }),
  );
  await Promise.all(pages.map((p) => p.close()));
}

const checkAll = (paths: string[]) => inTabs(paths, check);

/** Submits a form from within the site, as a page's own form would, and reports what the answer runs. */
async function submitted(page: Page, action: string, fields: Record<string, string>): Promise<void> {
  await page.evaluate(
    ([to, values]) => {
      const form = document.createElement('form');
      form.method = 'post';
      form.action = to;
      for (const [name, value] of Object.entries(values)) {
        const box = document.createElement('textarea');
        box.name = name;
        box.value = value;
        form.append(box);
      }
      document.body.append(form);
      form.submit();
    },
    [action, fields] as const,
  );
  await page.waitForURL((url) => url.pathname === action);
  await page.waitForLoadState('load');
  for (const p of await page.evaluate(activeInDom)) fired.push(`${action} answer: ${p}`);
}

beforeAll(async () => {
  t = await startTestApp();
  ({ server, base } = await serveOnPort(t.app));
  browser = await launchChromium();

  const ada = await createUser(t.db, { username: 'ada', role: 'admin' });
  for (const [i, payload] of XSS_PAYLOADS.entries()) {
    // Accounts are written here straight to the table, so NUL is read as every input path reads it.
    const owner = await createUser(t.db, { username: `p${i}`, role: 'engineer', realname: withoutNul(payload), email: withoutNul(payload) });
    users.push(owner);
    const id = await createTask(t.domain, ada, { title: payload, description: `${payload}\n\nSee {T${i + 1}} and @p${i}.`, owner: owner.username, view: 'public' });
    await edit(t.domain, owner, id, { comment: payload });
    ids.push(id);
  }
  // Saved query and token names go in through their forms, as a person types them.
  const http = await loggedIn(t.app, 'ada');
  const token = await http.csrf('/settings/tokens/');
  for (const payload of XSS_PAYLOADS) {
    const saved = await http.postRaw('/maniphest/query/save/', { __csrf__: token, name: payload.slice(0, 100), query: 'statuses=any-open' });
    const named = await http.postRaw('/settings/tokens/', { __csrf__: token, name: payload });
    if (saved.status !== 303 || named.status !== 200) throw new Error(`Could not store ${JSON.stringify(payload)}: ${saved.status}, ${named.status}`);
  }
  // A project per payload (name and description), tagging its task; the first project tags every task, so its board holds every card.
  for (const [i, payload] of XSS_PAYLOADS.entries()) {
    const name = withoutNul(payload).trim().slice(0, 128) || `Project ${i}`;
    projects.push(await createProject(t.db, ada, ProjectInput.parse({ name, hashtags: `xss${i}`, description: withoutNul(payload) })));
    await edit(t.domain, ada, ids[i]!, { projects: { add: [`xss${i}`, 'xss0'] } });
  }
  gallery = await createTask(t.domain, ada, { title: 'Gallery', description: ids.map((id) => `{T${id}} T${id}`).join('\n\n'), view: 'public' });
  // A bulk edit over every payload task: its report names each one.
  const queued = await http.post('/maniphest/bulk/', { scope: 'all', query: 'statuses=any-open', priority: 'high', back: '/maniphest/' }, '/maniphest/');
  bulkUrl = queued.location!;

  context = await browser.newContext({ baseURL: base, bypassCSP: true });
  context.setDefaultTimeout(20_000);
  await context.exposeFunction('__xssFired', (what: string, where: string) => fired.push(`${what}() ran on ${where}`));
  await context.addInitScript(() => {
    const report = (name: string) =>
      function () {
        (window as unknown as { __xssFired: (w: string, p: string) => void }).__xssFired(name, location.pathname + location.search);
      };
    for (const name of ['alert', 'confirm', 'prompt', 'print']) Object.defineProperty(window, name, { value: report(name) });
  });
  await context.route('**/*', (route) => {
    const url = new URL(route.request().url());
    if (url.origin === base) return route.continue();
    fired.push(`request to ${url.href.slice(0, 100)} (${route.request().resourceType()})`);
    return route.abort();
  });
  const login = await watched(await context.newPage());
  await login.goto('/login');
  await login.fill('#f-username', 'ada');
  await login.fill('#f-password', PASSWORD);
  await Promise.all([login.waitForURL((url) => url.pathname !== '/login'), login.click('form.narrow-form button.primary')]);
  await login.close();
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await stopServer(server);
  await t?.deps.jobs.stop();
  await stopTestApp(t);
});

afterEach(() => {
  const seen = fired.splice(0);
  const logged = t.errors.splice(0);
  if (seen.length || logged.length) throw new Error(`Payloads ran, or could run:\n${[...seen, ...logged].join('\n')}`);
});

test(`the corpus holds at least 120 payloads (${XSS_PAYLOADS.length})`, () => {
  expect(new Set(XSS_PAYLOADS).size).toBeGreaterThanOrEqual(120);
});

test('the detector works: a page that does run a payload is caught', async () => {
  const page = await watched(await context.newPage());
  await page.setContent('<img src=x onerror="alert(1)"><a href="javascript:alert(2)">x</a>');
  await page.waitForFunction(() => document.querySelector('img')?.complete);
  const problems = await page.evaluate(activeInDom);
  await page.close();
  expect(fired.splice(0).some((f) => f.startsWith('alert() ran'))).toBe(true);
  expect(problems).toEqual(['<img onerror="alert(1)">', '<a> to javascript:alert(2)']);
});

test('task pages: title, description, comment, owner, references', async () => {
  await checkAll([...ids.map((id) => `/T${id}`), `/T${gallery}`]);
});

test('edit forms: title and description in their fields', async () => {
  await checkAll(ids.map((id) => `/maniphest/task/edit/${id}/`));
});

test('hovercards: title and owner', async () => {
  await checkAll(ids.map((id) => `/T${id}/hovercard`));
});

test('lists: titles, owners, group headers, saved query names, highlighted search hits', async () => {
  await checkAll([
    '/maniphest/query/all/?limit=1000',
    '/maniphest/query/?statuses=any-open&group=owner&limit=1000',
    '/maniphest/query/?text=alert&order=relevance&group=none&limit=1000',
    '/maniphest/query/?text=script+img+onerror&group=status&limit=1000',
    '/maniphest/query/edit/',
  ]);
});

/** The corpus in runs of payloads that each fit one search field (1,000 characters). */
function chunks(limit: number): string[] {
  const out: string[] = [];
  for (const p of XSS_PAYLOADS) {
    if (out.length && out[out.length - 1]!.length + p.length < limit) out[out.length - 1] += ` ${p}`;
    else out.push(p);
  }
  return out;
}

test('search text and other reflected parameters', async () => {
  const q = (s: string) => encodeURIComponent(s);
  await checkAll(chunks(900).map((p) => `/maniphest/query/?text=${q(p)}&assigned=${q(p)}&order=${q(p)}&group=none`));
  // Each payload alone, as the whole search: the highlighting of its own words.
  await checkAll(XSS_PAYLOADS.filter((_, i) => i % 4 === 0).map((p) => `/maniphest/query/?text=${q(p)}&group=none`));
});

test('people: real names and email addresses', async () => {
  await checkAll(['/people/', '/people/log/', ...users.map((u) => `/p/${u.username}/`)]);
});

test('the outbox: subjects, addresses and bodies of the mail about every payload task', async () => {
  const messages = (await t.db('mail_messages').orderBy('id').pluck('id')) as number[];
  expect(messages.length).toBeGreaterThan(0);
  await checkAll(['/mail/', ...messages.filter((_, i) => i % 4 === 0).map((id) => `/mail/${id}/`)]);
});

test('projects: names, descriptions, tags on cards and task pages, the workboard', async () => {
  await checkAll([
    '/project/',
    `/project/board/${projects[0]}/`,
    `/project/board/${projects[0]}/?order=owner`,
    ...projects.map((id) => `/project/view/${id}/`),
    ...projects.filter((_, i) => i % 4 === 0).map((id) => `/project/edit/${id}/`),
    ...XSS_PAYLOADS.filter((_, i) => i % 4 === 0).map((_, i) => `/tag/xss${i * 4}/hovercard`),
  ]);
});

test('API tokens: names', async () => {
  await checkAll(['/settings/tokens/']);
});

test('the bulk edit report: every title', async () => {
  await checkAll([bulkUrl]);
});

test('Preview and Quote insert what the server renders', async () => {
  const page = await watched(await context.newPage());
  await page.goto(`/T${ids[0]}`);
  await page.fill('#comment-text', XSS_PAYLOADS.join('\n\n'));
  await page.getByRole('button', { name: 'Preview' }).click();
  await page.locator('.comment-form .preview p').first().waitFor();
  for (const id of ids.slice(0, 20)) {
    await page.goto(`/T${id}`);
    await page.locator('a.quote').first().click();
    await page.waitForFunction(() => (document.querySelector('#comment-text') as HTMLTextAreaElement).value.includes('wrote:'));
    await page.getByRole('button', { name: 'Preview' }).click();
    await page.locator('.comment-form .preview blockquote').first().waitFor();
    for (const p of await page.evaluate(activeInDom)) fired.push(`/T${id} after Quote and Preview: ${p}`);
  }
  await page.close();
});

test('refused forms: the error page and the re-rendered form keep what was typed', async () => {
  const all = XSS_PAYLOADS.join('\n\n');
  await inTabs(XSS_PAYLOADS.filter((_, i) => i % 8 === 0), async (page, payload) => {
    await page.goto('/maniphest/');
    // Without its CSRF token the create form is refused with the error page, which shows the text typed.
    await submitted(page, '/maniphest/task/edit/', { title: payload, description: all, comment: all });
    await page.goto('/maniphest/');
    const token = await page.locator('input[name="__csrf__"]').first().inputValue();
    // A title too long: the form again, filled in with the input.
    await submitted(page, '/maniphest/task/edit/', { __csrf__: token, title: payload.padEnd(300, 'x'), description: all });
  });
});

test('the Conduit console: results holding every title', async () => {
  const page = await watched(await context.newPage());
  await page.goto('/conduit/method/maniphest.search/');
  await page.fill('textarea[name="params[constraints]"], input[name="params[constraints]"]', '{"statuses":["open"]}');
  await Promise.all([page.waitForLoadState('load'), page.locator('form button[type="submit"], form button.primary').last().click()]);
  expect(await page.locator('main').textContent()).toContain(XSS_PAYLOADS[0]);
  for (const p of await page.evaluate(activeInDom)) fired.push(`console: ${p}`);
  await page.close();
});
