import { ValidationError } from '../../server/errors';
import { loadFieldValues } from '../../server/fields/repository';
import { applyEdit } from '../../server/tasks/editor';
import { setDisabled } from '../../server/users/repository';
import type { User } from '../../server/users/user';
import { useTestApp } from '../support/app';
import { createUser } from '../support/factories';
import { fieldsConfig } from '../support/fields';

describe('custom fields through the editor', () => {
  const t = useTestApp(fieldsConfig());
  let alice: User;
  let bob: User;

  beforeAll(async () => {
    alice = await createUser(t.db, { username: 'alice', role: 'engineer' });
    bob = await createUser(t.db, { username: 'bob', role: 'engineer' });
  });

  const refusal = async (p: Promise<unknown>) => {
    const err = await p.then(() => null, (e: unknown) => e);
    if (!(err instanceof ValidationError)) throw new Error(`Expected a ValidationError, got ${String(err)}`);
    return err.fields;
  };
  const valuesOf = async (id: number) => (await loadFieldValues(t.db, [id])).get(id);
  const events = (id: number) => t.db('task_events').where({ task_id: id, type: 'custom' }).orderBy('id').select('old_value', 'new_value');

  test('a create stores each type in its column, defaults applied, one event per field', async () => {
    const { taskId } = await applyEdit(t.domain, alice, null, [
      { type: 'title', value: 'Crash' },
      { type: 'custom', value: { customer: 'Acme', 'mycompany:estimated-hours': '5', regression: 'on', launch: '2026-12-11', reviewers: 'bob, alice' } },
    ]);
    expect(await valuesOf(taskId)).toEqual({
      customer: 'Acme',
      'mycompany:estimated-hours': 5,
      regression: true,
      launch: '2026-12-11',
      severity: 'sev3',
      reviewers: [alice.id, bob.id].sort((a, b) => a - b),
    });
    const rows = await t.db('task_field_values').where({ task_id: taskId }).orderBy('field_key');
    expect(rows.map((r: { field_key: string; field_type: string }) => `${r.field_key}:${r.field_type}`)).toEqual([
      'customer:text', 'launch:date', 'mycompany:estimated-hours:int', 'regression:bool', 'reviewers:users', 'severity:select',
    ]);
    expect((await events(taskId)).map((e: { new_value: { key: string } }) => e.new_value.key).sort()).toEqual(
      ['customer', 'launch', 'mycompany:estimated-hours', 'regression', 'reviewers', 'severity'],
    );
  });

  test('an edit changes, clears and leaves alone; unchanged fields make no event', async () => {
    const { taskId } = await applyEdit(t.domain, alice, null, [{ type: 'title', value: 'Edit me' }, { type: 'custom', value: { customer: 'Acme' } }]);
    const before = (await events(taskId)).length;
    await applyEdit(t.domain, alice, taskId, [{ type: 'custom', value: { customer: 'Globex', severity: 'sev3' } }, { type: 'custom', value: { regression: '' } }]);
    const after = await events(taskId);
    expect(after.slice(before)).toEqual([{ old_value: { key: 'customer', value: 'Acme' }, new_value: { key: 'customer', value: 'Globex' } }]);
    await applyEdit(t.domain, alice, taskId, [{ type: 'custom', value: { customer: '' } }]);
    expect(await valuesOf(taskId)).toEqual({ severity: 'sev3' });
  });

  test('bad input is refused beside each field and nothing is written', async () => {
    await setDisabled(t.db, bob.id, true);
    const tasks = Number((await t.db('tasks').count({ n: '*' }).first())!.n);
    const fields = await refusal(
      applyEdit(t.domain, alice, null, [
        { type: 'title', value: 'Bad' },
        { type: 'custom', value: { 'mycompany:estimated-hours': 'ten' } },
        { type: 'custom', value: { launch: '2026-02-30' } },
        { type: 'custom', value: { severity: 'sev9' } },
        { type: 'custom', value: { reviewers: ['bob'] } },
      ]),
    );
    expect(fields).toEqual({
      'custom.mycompany:estimated-hours': 'Estimated Hours: "ten" is not a whole number.',
      'custom.launch': 'Launch: "2026-02-30" is not a day; write it as YYYY-MM-DD, for example 2026-12-11.',
      'custom.severity': 'Severity: "sev9" is not one of the options: Sev 1, Sev 2, Sev 3.',
      'custom.reviewers': 'Reviewers: The account "bob" is disabled.',
    });
    expect(await refusal(applyEdit(t.domain, alice, null, [{ type: 'title', value: 'Bad' }, { type: 'custom', value: { reviewers: 'nobody' } }]))).toEqual({
      'custom.reviewers': 'Reviewers: There is no user named "nobody".',
    });
    expect(Number((await t.db('tasks').count({ n: '*' }).first())!.n)).toBe(tasks);
    await setDisabled(t.db, bob.id, false);
  });
});
