import type { User } from '../../server/users/user';
import { useTestApp } from '../support/app';
import { call, result, tokenFor } from '../support/conduit';
import { createTask, createUser, edit } from '../support/factories';
import { mailRunner } from '../support/mail';
import { localMailer, smtpProvider, type Provider } from '../support/smtp';

describe('due dates through the API and in mail', () => {
  const t = useTestApp();
  let alice: User;
  let token: string;

  beforeAll(async () => {
    alice = await createUser(t.db, { username: 'alice', email: 'alice@example.com' });
    token = await tokenFor(t.db, alice);
  });

  test('maniphest.edit sets, changes and removes the due date; the transactions name each change', async () => {
    const created = await result(t.app, 'maniphest.edit', { transactions: [{ type: 'title', value: 'From the API' }, { type: 'due', value: '2026-12-11' }] }, token);
    const id = created.object.id as number;
    await result(t.app, 'maniphest.edit', { objectIdentifier: `T${id}`, transactions: [{ type: 'due', value: '2026-12-18T09:30' }] }, token);
    let fields = (await result(t.app, 'maniphest.search', { constraints: { ids: [id] } }, token)).data[0].fields;
    expect([fields.due, fields.dueDate]).toEqual([Date.UTC(2026, 11, 18, 9, 30) / 1000, '2026-12-18T09:30']);
    await result(t.app, 'maniphest.edit', { objectIdentifier: id, transactions: [{ type: 'due', value: null }] }, token);
    fields = (await result(t.app, 'maniphest.search', { constraints: { ids: [id] } }, token)).data[0].fields;
    expect([fields.due, fields.dueDate]).toEqual([null, null]);

    const xactions = (await result(t.app, 'transaction.search', { objectIdentifier: `T${id}` }, token)).data as { type: string; fields: unknown }[];
    expect(xactions.filter((x) => x.type === 'due').map((x) => x.fields)).toEqual([
      { old: '2026-12-18T09:30', new: null },
      { old: '2026-12-11', new: '2026-12-18T09:30' },
      { old: null, new: '2026-12-11' },
    ]);
    const legacy = (await result(t.app, 'maniphest.gettasktransactions', { ids: [id] }, token))[String(id)] as { transactionType: string; oldValue: unknown; newValue: unknown }[];
    expect(legacy.filter((x) => x.transactionType === 'due').map((x) => [x.oldValue, x.newValue])).toEqual(
      expect.arrayContaining([
        [null, '2026-12-11'],
        ['2026-12-11', '2026-12-18T09:30'],
        ['2026-12-18T09:30', null],
      ]),
    );
  });

  test('a wrong due date is a Conduit error and writes nothing', async () => {
    const id = await createTask(t.domain, alice, { title: 'Untouched' });
    const before = await t.db('task_events').where({ task_id: id }).count({ n: '*' }).first();
    for (const [value, message] of [
      ['2026-02-30', '2026-02-30 is not a day of the calendar.'],
      ['tomorrowish', '"tomorrowish" is not a date: use YYYY-MM-DD, such as 2026-12-11.'],
      ['T09:30', 'A time needs a date: enter the day it is due, too.'],
    ]) {
      expect(await call(t.app, 'maniphest.edit', { objectIdentifier: id, transactions: [{ type: 'due', value }, { type: 'title', value: 'Renamed' }] }, token)).toEqual({
        result: null,
        error_code: 'ERR-CONDUIT-CORE',
        error_info: message,
      });
    }
    const wrongType = await call(t.app, 'maniphest.edit', { objectIdentifier: id, transactions: [{ type: 'due', value: 20261211 }] }, token);
    expect(wrongType.error_code).toBe('ERR-CONDUIT-CALL');
    expect(wrongType.error_info).toMatch(/\(type "due"\) must have a date "YYYY-MM-DD"/);
    expect(await t.db('task_events').where({ task_id: id }).count({ n: '*' }).first()).toEqual(before);
    expect(await t.db('tasks').where({ id }).first('title', 'due')).toEqual({ title: 'Untouched', due: null });
  });

  test('a wrong constraint is refused', async () => {
    const bad = await call(t.app, 'maniphest.search', { constraints: { dueBefore: 'soon' } }, token);
    expect(bad.error_code).not.toBeNull();
  });

  describe('mail', () => {
    let sink: Provider;
    beforeAll(async () => {
      sink = await smtpProvider('accept');
    });
    afterAll(() => sink.close());

    test('mail tells of a due date in the timeline sentence', async () => {
      const bob = await createUser(t.db, { username: 'bob', email: 'bob@example.com' });
      const id = await createTask(t.domain, alice, { title: 'Mailed', owner: bob.id });
      await mailRunner(t, [localMailer('sink', sink.port)]).kick();
      sink.received.length = 0;
      await edit(t.domain, alice, id, { due: '2026-12-11' });
      await mailRunner(t, [localMailer('sink', sink.port)]).kick();
      const mail = sink.received.find((r) => r.recipients.includes('bob@example.com'))!.mail;
      expect(mail.subject).toBe(`[Trellis] [Set Due Date] T${id}: Mailed`);
      expect(mail.text).toContain('alice set the due date to Dec 11 2026.');
    });
  });
});
