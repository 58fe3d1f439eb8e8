import { Tracker } from '../../server/tasks/task';
import { buildTrackerConfig } from '../../server/tracker-config';
import { createApp } from '../../server/app';
import { useTestApp } from '../support/app';
import { createUser } from '../support/factories';
import { FIELDS, fieldsConfig } from '../support/fields';
import { fieldError, formValues, loggedIn, timelineLines, type Page } from '../support/http';

const REQUIRED = { ...FIELDS, customer: { ...(FIELDS.customer as object), required: true } };

describe('custom fields on the forms and the task page', () => {
  const t = useTestApp(fieldsConfig(REQUIRED));

  beforeAll(async () => {
    await createUser(t.db, { username: 'alice', role: 'maintainer' });
    await createUser(t.db, { username: 'bob', role: 'engineer' });
  });

  const details = (page: Page) => page.dom.querySelectorAll('section.field-details:not(.retired) dt').map((dt) => `${dt.textContent}: ${dt.nextElementSibling?.textContent}`);
  const taskCount = async () => Number((await t.db('tasks').count({ n: '*' }).first())!.n);

  test('the create form offers every field with its default; a save shows them in Details and the timeline', async () => {
    const b = await loggedIn(t.app, 'alice');
    const form = await b.get('/maniphest/task/edit/');
    const values = formValues(form, 'form.task-form');
    expect(values['custom.severity']).toBe('sev3');
    expect(form.dom.querySelector('input[name="custom.reviewers"]')?.getAttribute('data-suggest')).toBe('people');
    expect(form.dom.querySelector('input[name="custom.launch"]')?.getAttribute('type')).toBe('date');
    expect(form.text).toContain('Customer (required)');
    const saved = await b.postRaw('/maniphest/task/edit/', {
      ...values,
      title: 'Printer on fire',
      'custom.customer': 'Acme',
      'custom.mycompany:estimated-hours': '5',
      'custom.regression': ['', 'true'],
      'custom.launch': '2026-12-11',
      'custom.severity': 'sev1',
      'custom.reviewers': 'bob',
    });
    expect(saved.status).toBe(303);
    const page = await b.get(saved.location!);
    expect(details(page)).toEqual(['Customer: Acme', 'Estimated Hours: 5', 'Regression: Yes', 'Launch: Dec 11 2026', 'Severity: Sev 1', 'Reviewers: bob']);
    expect(timelineLines(page)).toEqual(expect.arrayContaining(['alice set Customer to "Acme".', 'alice set Severity to Sev 1.', 'alice checked Regression.', 'alice set Reviewers to bob.', 'alice set Launch to Dec 11 2026.']));

    const id = saved.location!.slice(2);
    const edit = formValues(await b.get(`/maniphest/task/edit/${id}/`), 'form.task-form');
    expect(edit['custom.customer']).toBe('Acme');
    expect(edit['custom.reviewers']).toBe('bob');
    expect((await b.postRaw(`/maniphest/task/edit/${id}/`, { ...edit, 'custom.customer': 'Globex', 'custom.regression': '', 'custom.reviewers': '', 'custom.launch': '2026-12-18' })).status).toBe(303);
    const lines = timelineLines(await b.get(`/T${id}`));
    expect(lines).toEqual(
      expect.arrayContaining(['alice changed Customer from "Acme" to "Globex".', 'alice unchecked Regression.', 'alice changed Launch from Dec 11 2026 to Dec 18 2026.', 'alice removed Reviewers.']),
    );
  });

  test('bad input: 422, the message beside each field, the input kept, nothing written', async () => {
    await t.db('users').where({ username: 'bob' }).update({ disabled_at: new Date() });
    const b = await loggedIn(t.app, 'alice');
    const before = await taskCount();
    const refused = await b.postRaw('/maniphest/task/edit/', {
      ...formValues(await b.get('/maniphest/task/edit/'), 'form.task-form'),
      title: 'Bad',
      'custom.customer': '',
      'custom.mycompany:estimated-hours': 'ten',
      'custom.launch': '2026-02-30',
      'custom.severity': 'sev9',
      'custom.reviewers': 'bob',
    });
    expect(refused.status).toBe(422);
    expect(fieldError(refused, 'custom.customer', 'form.task-form')).toBe('Customer is required.');
    expect(fieldError(refused, 'custom.mycompany:estimated-hours', 'form.task-form')).toBe('Estimated Hours: "ten" is not a whole number.');
    expect(fieldError(refused, 'custom.launch', 'form.task-form')).toBe('Launch: "2026-02-30" is not a day; write it as YYYY-MM-DD, for example 2026-12-11.');
    expect(fieldError(refused, 'custom.severity', 'form.task-form')).toBe('Severity: "sev9" is not one of the options: Sev 1, Sev 2, Sev 3.');
    expect(fieldError(refused, 'custom.reviewers', 'form.task-form')).toBe('Reviewers: The account "bob" is disabled.');
    expect(formValues(refused, 'form.task-form')['custom.mycompany:estimated-hours']).toBe('ten');
    expect(refused.dom.querySelector('.task-form > .field-error')).toBeNull();
    expect(await taskCount()).toBe(before);
    await t.db('users').where({ username: 'bob' }).update({ disabled_at: null });
  });

  test('"Create Subtask" copies the fields marked copy', async () => {
    const b = await loggedIn(t.app, 'alice');
    const made = await b.postRaw('/maniphest/task/edit/', { ...formValues(await b.get('/maniphest/task/edit/'), 'form.task-form'), title: 'Parent', 'custom.customer': 'Initech', 'custom.severity': 'sev2', 'custom.launch': '2027-01-01' });
    const page = await b.get(made.location!);
    const link = page.dom.querySelectorAll('.related-actions a').find((a) => a.textContent === 'Create Subtask')!.getAttribute('href')!;
    const values = formValues(await b.get(link.replaceAll('&amp;', '&')), 'form.task-form');
    expect([values['custom.customer'], values['custom.severity'], values['custom.launch']]).toEqual(['Initech', 'sev2', '']);
  });

  test('two people editing at once: a field only one changed keeps their value; both changing it is refused beside it', async () => {
    const alice = await loggedIn(t.app, 'alice');
    const bob = await loggedIn(t.app, 'bob');
    const made = await alice.postRaw('/maniphest/task/edit/', { ...formValues(await alice.get('/maniphest/task/edit/'), 'form.task-form'), title: 'Shared', 'custom.customer': 'Acme' });
    const url = `/maniphest/task/edit/${made.location!.slice(2)}/`;
    // As a browser sends an unticked box: its hidden twin only.
    const a = { ...formValues(await alice.get(url), 'form.task-form'), 'custom.regression': '' };
    const b = { ...formValues(await bob.get(url), 'form.task-form'), 'custom.regression': '' };
    expect((await alice.postRaw(url, { ...a, 'custom.customer': 'Globex' })).status).toBe(303);
    expect((await bob.postRaw(url, { ...b, 'custom.severity': 'sev2' })).status).toBe(303);
    const page = await alice.get(made.location!);
    expect(details(page)).toEqual(['Customer: Globex', 'Severity: Sev 2']);
    const refused = await bob.postRaw(url, { ...b, 'custom.customer': 'Initech' });
    expect(refused.status).toBe(409);
    expect(fieldError(refused, 'custom.customer', 'form.task-form')).toBe('Someone else changed this while you were editing; it now has a newer value. Save again to replace it with yours.');
  });

  test('a field removed from the configuration keeps its values as read-only history', async () => {
    const b = await loggedIn(t.app, 'alice');
    const made = await b.postRaw('/maniphest/task/edit/', { ...formValues(await b.get('/maniphest/task/edit/'), 'form.task-form'), title: 'Old', 'custom.customer': 'Hooli', 'custom.reviewers': 'alice' });
    const { customer: _c, reviewers: _r, ...rest } = FIELDS;
    const tracker = new Tracker(buildTrackerConfig({ fields: rest }));
    const app = createApp({ ...t.deps, tracker, config: { ...t.deps.config, tracker: tracker.config } });
    const other = await loggedIn(app, 'alice');
    const page = await other.get(made.location!);
    expect(page.status).toBe(200);
    expect(page.dom.querySelectorAll('section.retired dt').map((dt) => `${dt.textContent}: ${dt.nextElementSibling?.textContent}`)).toEqual(['customer: Hooli', 'reviewers: alice']);
    expect(timelineLines(page)).toEqual(expect.arrayContaining(['alice set customer to "Hooli".', 'alice set reviewers to alice.']));
    const id = made.location!.slice(2);
    const form = await other.get(`/maniphest/task/edit/${id}/`);
    expect(form.dom.querySelector('[name="custom.customer"]')).toBeNull();
    expect((await other.postRaw(`/maniphest/task/edit/${id}/`, { ...formValues(form, 'form.task-form'), title: 'Old, renamed' })).status).toBe(303);
    expect(await t.db('task_field_values').where({ task_id: Number(id), field_key: 'customer' }).first()).toMatchObject({ text_value: 'Hooli' });
  });
});
