import { applyEdit } from '../../server/tasks/editor';
import type { User } from '../../server/users/user';
import { useTestApp } from '../support/app';
import { createUser } from '../support/factories';
import { fieldsConfig } from '../support/fields';
import { loggedIn, type Browser } from '../support/http';

describe('custom fields in lists, searches and exports', () => {
  const t = useTestApp(fieldsConfig());
  let alice: User;
  let b: Browser;
  const ids: Record<string, number> = {};

  beforeAll(async () => {
    alice = await createUser(t.db, { username: 'alice', role: 'maintainer' });
    await createUser(t.db, { username: 'bob', role: 'engineer' });
    const make = async (title: string, custom: Record<string, unknown>) => {
      ids[title] = (await applyEdit(t.domain, alice, null, [{ type: 'title', value: title }, { type: 'custom', value: custom }])).taskId;
    };
    await make('Acme crash', { customer: 'Acme Corp', 'mycompany:estimated-hours': 3, regression: true, launch: '2026-12-01', severity: 'sev1', reviewers: ['bob'] });
    await make('Globex slow', { customer: 'Globex', 'mycompany:estimated-hours': 8, launch: '2027-01-15', severity: 'sev2', reviewers: ['alice', 'bob'] });
    await make('Plain', { severity: '' });
    b = await loggedIn(t.app, 'alice');
  });

  const found = async (query: string) => {
    const page = await b.get(`/maniphest/query/?group=none&${query}`);
    expect(page.status).toBe(200);
    return page.dom.querySelectorAll('.task-row .task-title').map((a) => a.textContent.trim()).sort();
  };

  test('every type filters, from the URL the query form builds', async () => {
    expect(await found('custom.customer=acme')).toEqual(['Acme crash']);
    expect(await found('custom.customer.is=Globex')).toEqual(['Globex slow']);
    expect(await found('custom.customer.is=globex')).toEqual([]);
    expect(await found(`${encodeURIComponent('custom.mycompany:estimated-hours.min')}=4`)).toEqual(['Globex slow']);
    expect(await found(`${encodeURIComponent('custom.mycompany:estimated-hours.max')}=3`)).toEqual(['Acme crash']);
    expect(await found('custom.regression=yes')).toEqual(['Acme crash']);
    expect(await found('custom.regression=no')).toEqual(['Globex slow', 'Plain']);
    expect(await found('custom.launch.after=2026-12-02')).toEqual(['Globex slow']);
    expect(await found('custom.launch.before=2026-12-01')).toEqual(['Acme crash']);
    expect(await found('custom.severity=sev1&custom.severity=sev2')).toEqual(['Acme crash', 'Globex slow']);
    expect(await found('custom.severity=sev2')).toEqual(['Globex slow']);
    expect(await found('custom.reviewers=me')).toEqual(['Globex slow']);
    expect(await found('custom.reviewers=bob')).toEqual(['Acme crash', 'Globex slow']);
  });

  test('the query form has a control per searchable field; bad values are shown beside it', async () => {
    const page = await b.get('/maniphest/query/?custom.severity=sev9&custom.launch.after=2026-02-30');
    expect(page.dom.querySelectorAll('input[name="custom.severity"]').map((i) => i.getAttribute('value'))).toEqual(['sev1', 'sev2', 'sev3']);
    expect(page.dom.querySelector('select[name="custom.regression"]')).not.toBeNull();
    expect(page.text).toContain('Severity: "sev9" is not an option. Use sev1, sev2, sev3.');
    expect(page.text).toContain('Launch: "2026-02-30" is not a date: use YYYY-MM-DD.');
  });

  test('select and users fields group lists: a task under each person it names, then those without', async () => {
    const groups = async (query: string) => {
      const page = await b.get(`/maniphest/query/?${query}`);
      expect(page.status).toBe(200);
      return page.dom.querySelectorAll('h2.group-header').map((h) => `${h.textContent.trim()}: ${h.nextElementSibling!.querySelectorAll('.task-title').map((a) => a.textContent.trim()).join(', ')}`);
    };
    expect(await groups('group=custom.severity&order=title')).toEqual(['Sev 1 (1): Acme crash', 'Sev 2 (1): Globex slow', '(No Severity) (1): Plain']);
    expect(await groups('group=custom.reviewers&order=title')).toEqual(['alice (1): Globex slow', 'bob (2): Acme crash, Globex slow', '(No Reviewers) (1): Plain']);
    // Page by page, the cursor carries the group.
    const titles: string[] = [];
    let url: string | undefined = '/maniphest/query/?group=custom.reviewers&order=title&limit=1';
    while (url) {
      const page = await b.get(url);
      titles.push(...page.dom.querySelectorAll('.task-title').map((a) => a.textContent.trim()));
      url = page.dom.querySelector('a[rel="next"]')?.getAttribute('href')?.replaceAll('&amp;', '&');
    }
    expect(titles).toEqual(['Globex slow', 'Acme crash', 'Globex slow', 'Plain']);
    const form = await b.get('/maniphest/query/?group=custom.severity');
    expect(form.dom.querySelectorAll('select[name="group"] option').map((o) => o.getAttribute('value'))).toEqual(['priority', 'owner', 'status', 'project', 'none', 'custom.severity', 'custom.reviewers']);
    expect((await b.get('/maniphest/query/?group=custom.customer')).text).toContain('"custom.customer" is not a grouping.');
  });

  test('fields marked list are shown in list rows', async () => {
    const page = await b.get('/maniphest/query/?group=none&custom.customer=acme');
    expect(page.dom.querySelectorAll('.task-row .task-field').map((s) => s.textContent)).toEqual(['Customer: Acme Corp', 'Severity: Sev 1']);
  });

  test('CSV and JSON exports have one column per configured field', async () => {
    const csv = await b.agent.get('/maniphest/query/export.csv?group=none&order=oldest');
    const lines = csv.text.trim().split('\r\n');
    expect(lines[0]).toBe('id,monogram,title,status,priority,owner,author,created,updated,closed,due,url,custom.customer,custom.mycompany:estimated-hours,custom.regression,custom.launch,custom.severity,custom.reviewers');
    expect(lines[1]).toMatch(/,Acme Corp,3,yes,2026-12-01,Sev 1,bob$/);
    expect(lines[2]).toMatch(/,Globex,8,,2027-01-15,Sev 2,"alice, bob"$/);
    const json = JSON.parse((await b.agent.get('/maniphest/query/export.json?group=none&order=oldest')).text) as Record<string, unknown>[];
    expect(json[1]).toMatchObject({ title: 'Globex slow', 'custom.customer': 'Globex', 'custom.mycompany:estimated-hours': 8, 'custom.regression': false, 'custom.launch': '2027-01-15', 'custom.severity': 'Sev 2', 'custom.reviewers': ['alice', 'bob'] });
    expect(json[2]).toMatchObject({ title: 'Plain', 'custom.customer': null, 'custom.severity': null });
  });
});
