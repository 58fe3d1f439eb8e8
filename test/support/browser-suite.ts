import type { Server } from 'node:http';
import type { Browser, BrowserContext, BrowserContextOptions, Locator, Page } from 'playwright-core';
import { startTestApp, stopTestApp, type TestApp } from './app';
import { launchChromium, serveOnPort, stopServer } from './chromium';
import { PASSWORD } from './factories';

/** One app on a real port and one Chromium for a test file, filled in by beforeAll. */
export interface BrowserSuite {
  t: TestApp;
  base: string;
  browser: Browser;
  /**
   * A new browser window, logged in through the login form as `username` (or a visitor for
   * null). With `watch`, console errors and uncaught exceptions fail the test that caused them.
   */
  open(username: string | null, options?: BrowserContextOptions & { watch?: boolean }): Promise<Page>;
}

/**
 * Starts the app and Chromium for a test file, runs `seed` once, closes every window after
 * each test and fails that test on anything the app logged as an error.
 */
export function useBrowserSuite(seed: (t: TestApp) => Promise<void>): BrowserSuite {
  const contexts: BrowserContext[] = [];
  const problems: string[] = [];
  let server: Server | undefined;
  const suite = {} as BrowserSuite;

  beforeAll(async () => {
    suite.t = await startTestApp();
    const served = await serveOnPort(suite.t.app);
    server = served.server;
    suite.base = served.base;
    suite.browser = await launchChromium();
    await seed(suite.t);
  }, 60_000);

  afterAll(async () => {
    await suite.browser?.close();
    await stopServer(server);
    await stopTestApp(suite.t);
  });

  afterEach(async () => {
    await Promise.all(contexts.splice(0).map((c) => c.close()));
    const seen = [...problems.splice(0), ...(suite.t?.errors.splice(0) ?? [])];
    if (seen.length) throw new Error(`Unexpected errors:\n${seen.join('\n')}`);
  });

  suite.open = async (username, { watch = true, ...options } = {}) => {
    const context = await suite.browser.newContext({ baseURL: suite.base, ...options });
    contexts.push(context);
    context.setDefaultTimeout(15_000);
    const page = await context.newPage();
    if (watch) {
      page.on('console', (m) => {
        if (m.type() === 'error') problems.push(`console: ${m.text()} (${m.location().url})`);
      });
      page.on('pageerror', (e) => problems.push(`exception: ${e.message}`));
    }
    if (!username) return page;
    await page.goto('/login');
    await page.fill('#f-username', username);
    await page.fill('#f-password', PASSWORD);
    await Promise.all([page.waitForURL((url) => url.pathname !== '/login'), page.click('form.narrow-form button.primary')]);
    return page;
  };
  return suite;
}

/**
 * Waits until a typeahead's options read exactly `expected`. A field typed key by key may first
 * show the answer to an earlier keystroke ("m" before "mor"); only the answer to the whole term
 * is the one to check or choose from.
 */
export async function settledSuggestions(options: Locator, expected: string[], { anyOrder = false, timeout = 15_000 } = {}): Promise<void> {
  const normal = (texts: string[]) => (anyOrder ? [...texts].sort() : texts);
  const until = Date.now() + timeout;
  let seen: string[] = [];
  while (Date.now() < until) {
    seen = normal(await options.allTextContents());
    if (JSON.stringify(seen) === JSON.stringify(normal(expected))) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  expect(seen).toEqual(normal(expected));
}
