import fs from 'node:fs';
import path from 'node:path';
import { useTestApp } from '../support/app';
import { createUser } from '../support/factories';
import { page, startFakeConduit, type FakeConduit } from '../support/fake-conduit';
import { loggedIn, timelineLines } from '../support/http';
import { runImport } from '../../server/import/run';
import { parseRoleMapping } from '../../server/import/writer';

/** An imported task on its page: Remarkup rendered as Phabricator renders it, history and back-links shown. */

describe('an imported task', () => {
  const t = useTestApp();
  let server: FakeConduit;
  afterAll(() => server?.close());

  test('reads as it did in Phabricator', async () => {
    const install = JSON.parse(fs.readFileSync(path.join(__dirname, '../fixtures/phabricator/install.json'), 'utf8'));
    server = await startFakeConduit({
      'user.search': (p) => page(install.users, p),
      'project.search': (p) => page(install.projects, p),
      'maniphest.search': (p) => page(install.tasks, p, p.order === 'newest' ? 'newest' : 'oldest'),
      'transaction.search': (p) => page(install.transactions[String(p.objectIdentifier)] ?? [], p, 'newest'),
    });
    await runImport(t.domain, { url: server.url, token: 'api-aaaaaaaaaaaaaaaaaaaaaaaaaaaa', since: null, dryRun: false, offset: 0, roles: parseRoleMapping(undefined), markup: 'remarkup' });
    await createUser(t.db, { username: 'viewer', role: 'admin' });
    const viewer = await loggedIn(t.app, 'viewer');

    const task = await viewer.get('/T5');
    expect(task.status).toBe(200);
    const description = task.dom.querySelector('.description')!;
    expect(description.querySelector('a[href="/T12"]')!.textContent).toBe('T12: Crash on save');
    expect(description.querySelector('em')!.textContent).toBe('carefully');
    expect(description.querySelectorAll('ol li').map((li) => li.textContent)).toEqual(['open the page', 'log in']);
    expect(description.querySelector('blockquote strong')!.textContent).toBe('NOTE:');
    expect(description.querySelector('pre')!.innerHTML).toMatch(/^<code class="language-js">.*login.*T99/s);
    expect(description.querySelector('table td')!.textContent).toBe('firefox');
    expect(timelineLines(task)).toEqual(
      expect.arrayContaining(['alice created this task.', 'bob added a comment.', 'bob mentioned this in T12: Crash on save.', 'alice mentioned this in T40: Old bug from a deleted account.']),
    );
    expect(task.dom.querySelector('.timeline a.user-ref[href="/p/alice/"]')).toBeTruthy();
    expect(task.dom.querySelector('a.event-time')!.getAttribute('title')).toBe('Via Import');
  });
});
