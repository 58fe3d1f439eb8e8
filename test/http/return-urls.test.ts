import { queueBulkEdit } from '../../server/tasks/bulk';
import type { User } from '../../server/users/user';
import { useTestApp } from '../support/app';
import { bulkEdit, bulkFields } from '../support/bulk';
import { createTask, createUser, PASSWORD } from '../support/factories';
import { Browser, loggedIn } from '../support/http';

/** Addresses a browser would follow to another site, each as an attacker would put it in a link. */
const OFF_SITE = ['//evil.example/', '/\\evil.example', '/\t/evil.example', '/\n/evil.example', '/\r/evil.example', '/..//evil.example', 'https://evil.example/'];

describe('return addresses a person can be sent back to', () => {
  const t = useTestApp();
  let taskId: number;
  let mia: User;

  beforeAll(async () => {
    mia = await createUser(t.db, { username: 'mia', role: 'maintainer' });
    const author = await createUser(t.db, { username: 'ann', role: 'engineer' });
    taskId = await createTask(t.domain, author, { title: 'Sent back somewhere', priority: 'normal' });
  });

  test.each(OFF_SITE)("the bulk edit's Back to the list never links off the site (back=%j)", async (back) => {
    const browser = await loggedIn(t.app, 'mia');
    const from = '/maniphest/query/?authors=ann';
    const list = await browser.get(from);
    const result = await bulkEdit(browser, bulkFields(list, { scope: 'selected', priority: 'high', back }, [taskId]), from);
    const link = result.dom.querySelectorAll('a').find((a) => a.textContent === 'Back to the list');
    expect(link!.getAttribute('href')).toBe('/maniphest/');
    const [row] = await t.db('bulk_edits').orderBy('id', 'desc').limit(1).select('back');
    expect(row.back).toBe('/maniphest/');
  });

  test("a list's own address comes back as it was", async () => {
    const browser = await loggedIn(t.app, 'mia');
    const from = '/maniphest/query/?authors=ann&statuses=any-open#results';
    const list = await browser.get(from);
    const result = await bulkEdit(browser, bulkFields(list, { scope: 'selected', priority: 'low', back: from }, [taskId]), from);
    expect(result.dom.querySelectorAll('a').find((a) => a.textContent === 'Back to the list')!.getAttribute('href')).toBe(from);
  });

  test('a job stored before the check was strict still links home, not off the site', async () => {
    const id = await queueBulkEdit(t.db, mia, [], [], '/\t/evil.example');
    const page = await (await loggedIn(t.app, 'mia')).get(`/maniphest/bulk/${id}/`);
    expect(page.status).toBe(200);
    expect(page.dom.querySelectorAll('a').find((a) => a.textContent === 'Back to the list')!.getAttribute('href')).toBe('/maniphest/');
  });

  test.each(OFF_SITE)('logging in never sends the person off the site (next=%j)', async (next) => {
    const browser = new Browser(t.app);
    const form = await browser.get(`/login?next=${encodeURIComponent(next)}`);
    expect(form.dom.querySelector('input[name="next"]')!.getAttribute('value')).toBe('');
    const login = await browser.post('/login', { username: 'mia', password: PASSWORD, next }, '/login');
    expect([login.status, login.location]).toEqual([303, '/']);
    // Already logged in, the login page sends the person on at once, with the same check.
    const again = await browser.get(`/login?next=${encodeURIComponent(next)}`);
    expect([again.status, again.location]).toEqual([303, '/']);
  });

  test('logging in from a page returns to that page', async () => {
    const browser = new Browser(t.app);
    const form = await browser.get(`/login?next=${encodeURIComponent(`/T${taskId}#7`)}`);
    expect(form.dom.querySelector('input[name="next"]')!.getAttribute('value')).toBe(`/T${taskId}#7`);
    const login = await browser.post('/login', { username: 'mia', password: PASSWORD, next: `/T${taskId}#7` }, '/login');
    expect(login.location).toBe(`/T${taskId}#7`);
  });
});
