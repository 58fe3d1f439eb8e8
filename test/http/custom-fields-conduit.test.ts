import type { User } from '../../server/users/user';
import { useTestApp } from '../support/app';
import { call, result, tokenFor } from '../support/conduit';
import { createUser } from '../support/factories';
import { fieldsConfig } from '../support/fields';

describe('custom fields in the Conduit API', () => {
  const t = useTestApp(fieldsConfig());
  let erin: User;
  let bob: User;
  let token: string;

  beforeAll(async () => {
    erin = await createUser(t.db, { username: 'erin', role: 'engineer' });
    bob = await createUser(t.db, { username: 'bob', role: 'engineer' });
    token = await tokenFor(t.db, erin);
  });

  const edit = (transactions: unknown[], objectIdentifier?: number) => call(t.app, 'maniphest.edit', { transactions, ...(objectIdentifier ? { objectIdentifier } : {}) }, token);
  const taskCount = async () => Number((await t.db('tasks').count({ n: '*' }).first())!.n);

  test('maniphest.edit takes custom.<key>; maniphest.search returns every field; transaction reads show the changes', async () => {
    const made = await edit([
      { type: 'title', value: 'From the API' },
      { type: 'custom.customer', value: 'Acme' },
      { type: 'custom.mycompany:estimated-hours', value: 5 },
      { type: 'custom.regression', value: true },
      { type: 'custom.launch', value: '2026-12-11' },
      { type: 'custom.severity', value: 'sev2' },
      { type: 'custom.reviewers', value: [bob.phid] },
    ]);
    expect(made.error_code).toBeNull();
    const id = (made.result as { object: { id: number } }).object.id;
    const search = await result(t.app, 'maniphest.search', { constraints: { ids: [id] } }, token);
    expect(search.data[0].fields).toMatchObject({
      'custom.customer': 'Acme',
      'custom.mycompany:estimated-hours': 5,
      'custom.regression': true,
      'custom.launch': Date.UTC(2026, 11, 11) / 1000,
      'custom.severity': 'sev2',
      'custom.reviewers': [bob.phid],
    });

    expect((await edit([{ type: 'custom.customer', value: 'Globex' }, { type: 'custom.reviewers', value: null }], id)).error_code).toBeNull();
    const xacts = await result(t.app, 'transaction.search', { objectIdentifier: `T${id}` }, token);
    const custom = xacts.data.filter((x: { type: string }) => x.type === 'core:customfield').map((x: { fields: unknown }) => x.fields);
    expect(custom).toEqual(expect.arrayContaining([{ key: 'custom.customer', old: 'Acme', new: 'Globex' }, { key: 'custom.reviewers', old: [bob.phid], new: null }]));
    const legacy = await result(t.app, 'maniphest.gettasktransactions', { ids: [id] }, token);
    expect(legacy[String(id)].filter((x: { transactionType: string }) => x.transactionType === 'core:customfield').length).toBe(custom.length);
  });

  test("the older methods read and write them as Phabricator's auxiliary fields", async () => {
    const made = await result(t.app, 'maniphest.createtask', { title: 'Old client', auxiliary: { 'std:maniphest:customer': 'Initech', severity: 'sev3' } }, token);
    expect(made.auxiliary).toMatchObject({ 'std:maniphest:customer': 'Initech', 'std:maniphest:severity': 'sev3', 'std:maniphest:reviewers': null });
    const info = await result(t.app, 'maniphest.info', { task_id: Number(made.id) }, token);
    expect(info.auxiliary['std:maniphest:customer']).toBe('Initech');
    const bad = await call(t.app, 'maniphest.createtask', { title: 'x', auxiliary: { 'std:maniphest:nothing': 1 } }, token);
    expect(bad.error_code).toBe('ERR-INVALID-PARAMETER');
  });

  test('constraints on searchable fields', async () => {
    const made = await result(t.app, 'maniphest.edit', { transactions: [{ type: 'title', value: 'Sev1' }, { type: 'custom.severity', value: 'sev1' }, { type: 'custom.mycompany:estimated-hours', value: 40 }] }, token);
    const ids = async (constraints: Record<string, unknown>) => (await result(t.app, 'maniphest.search', { constraints }, token)).data.map((d: { id: number }) => d.id);
    expect(await ids({ 'custom.severity': ['sev1'] })).toEqual([made.object.id]);
    expect(await ids({ 'custom.mycompany:estimated-hours': { min: 30 } })).toEqual([made.object.id]);
    const bad = await call(t.app, 'maniphest.search', { constraints: { 'custom.nothing': 'x' } }, token);
    expect(bad.error_code).toBe('ERR-INVALID-CONSTRAINT');
    expect(bad.error_info).toContain('custom.severity');
  });

  test('bad values are refused with a Conduit error and nothing is written', async () => {
    const before = await taskCount();
    await t.db('users').where({ id: bob.id }).update({ disabled_at: new Date() });
    for (const [type, value, message] of [
      ['custom.mycompany:estimated-hours', 'ten', 'Estimated Hours: "ten" is not a whole number.'],
      ['custom.launch', '2026-02-30', 'Launch: "2026-02-30" is not a day'],
      ['custom.severity', 'sev9', 'Severity: "sev9" is not one of the options'],
      ['custom.reviewers', [bob.phid], 'Reviewers: The account "bob" is disabled.'],
      ['custom.reviewers', ['PHID-USER-nobody'], 'User "PHID-USER-nobody" is not a valid user.'],
    ] as const) {
      const res = await edit([{ type: 'title', value: 'Bad' }, { type, value }]);
      expect(res.error_code).toBe('ERR-CONDUIT-CORE');
      expect(res.error_info).toContain(message);
    }
    const unknown = await edit([{ type: 'title', value: 'Bad' }, { type: 'custom.nothing', value: 'x' }]);
    expect(unknown.error_info).toContain('has invalid type "custom.nothing"');
    expect(await taskCount()).toBe(before);
    await t.db('users').where({ id: bob.id }).update({ disabled_at: null });
  });
});
