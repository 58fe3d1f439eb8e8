import { setAccountDisabled } from '../../server/users/accounts';
import type { User } from '../../server/users/user';
import { useTestApp } from '../support/app';
import { call, callFields, result, tokenFor } from '../support/conduit';
import { createTask, createUser } from '../support/factories';
import { loggedIn, timelineLines } from '../support/http';

const PHID_TASK = /^PHID-TASK-[a-z2-7]{20}$/;
const PHID_XACT = /^PHID-XACT-TASK-[a-z2-7]{15}$/;

describe('maniphest.edit', () => {
  const t = useTestApp();
  let maya: User; // maintainer
  let erin: User; // engineer
  let rita: User; // reader
  let bob: User;
  let carol: User;
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    maya = await createUser(t.db, { username: 'maya', role: 'maintainer' });
    erin = await createUser(t.db, { username: 'erin', role: 'engineer' });
    rita = await createUser(t.db, { username: 'rita', role: 'reader' });
    bob = await createUser(t.db, { username: 'bob', role: 'engineer' });
    carol = await createUser(t.db, { username: 'carol', role: 'engineer' });
    for (const u of [maya, erin, rita]) tokens[u.username] = await tokenFor(t.db, u);
  });

  const eventRows = (taskId: number) => t.db('task_events').where({ task_id: taskId }).orderBy('id').select('id', 'phid', 'type', 'source', 'group_id');
  const eventCount = async () => Number((await t.db('task_events').count<{ n: number }[]>({ n: '*' }))[0]!.n);

  test('creates a task from transactions and returns every event it wrote, implied ones included', async () => {
    const res = await result(
      t.app,
      'maniphest.edit',
      {
        transactions: [
          { type: 'title', value: '  Printer is on fire  ' },
          { type: 'description', value: 'Smoke from **tray 2**.' },
          { type: 'priority', value: 'high' },
          { type: 'owner', value: bob.phid },
          { type: 'subscribers.add', value: [carol.phid] },
          { type: 'comment', value: 'Filed from a script.' },
        ],
      },
      tokens.erin!,
    );
    expect(Object.keys(res)).toEqual(['object', 'transactions']);
    const task = await t.db('tasks').where({ id: res.object.id }).first();
    expect(res.object).toEqual({ id: task.id, phid: task.phid });
    expect(task.phid).toMatch(PHID_TASK);
    expect(task).toMatchObject({ title: 'Printer is on fire', description: 'Smoke from **tray 2**.', priority: 80, owner_id: bob.id, author_id: erin.id });

    const rows = await eventRows(task.id);
    expect(rows.map((r: { type: string }) => r.type)).toEqual(['create', 'title', 'description', 'priority', 'owner', 'subscribers', 'comment']);
    expect(new Set(rows.map((r: { group_id: string }) => r.group_id)).size).toBe(1);
    expect(rows.every((r: { source: string }) => r.source === 'api')).toBe(true);
    expect(res.transactions).toEqual(rows.map((r: { phid: string }) => ({ phid: r.phid })));
    for (const x of res.transactions) expect(x.phid).toMatch(PHID_XACT);
    // The author is subscribed on creation, an implied change next to the requested one; the owner is, by being given the task.
    expect((await t.db('task_subscribers').where({ task_id: task.id }).orderBy('user_id').pluck('user_id'))).toEqual([erin.id, bob.id, carol.id].sort((a, b) => a - b));

    const page = await (await loggedIn(t.app, 'maya')).get(`/T${task.id}`);
    expect(timelineLines(page)).toEqual([
      'erin created this task.',
      'erin assigned this task to bob.',
      'erin triaged this task as High priority.',
    ]);
    expect(page.dom.querySelectorAll('.comment').map((c) => c.textContent.trim())).toEqual(['Filed from a script.']);
    expect(page.dom.querySelector('.event-time')!.getAttribute('title')).toBe('Via Conduit');
  });

  test('edits a task named by ID, monogram or PHID; closing claims an unassigned task, and that implied event is returned too', async () => {
    const id = await createTask(t.domain, erin, { title: 'Flaky test' });
    const phid = (await t.db('tasks').where({ id }).first()).phid as string;

    const byMonogram = await result(t.app, 'maniphest.edit', { objectIdentifier: `T${id}`, transactions: [{ type: 'priority', value: 'low' }] }, tokens.maya!);
    expect(byMonogram.object).toEqual({ id, phid });
    const byId = await result(t.app, 'maniphest.edit', { objectIdentifier: id, transactions: [{ type: 'title', value: 'Flaky test on CI' }] }, tokens.maya!);
    expect(byId.object).toEqual({ id, phid });
    const byStringId = await result(t.app, 'maniphest.edit', { objectIdentifier: String(id), transactions: [{ type: 'description', value: 'Fails one run in ten.' }] }, tokens.maya!);
    expect(byStringId.transactions).toHaveLength(1);

    const closed = await result(t.app, 'maniphest.edit', { objectIdentifier: phid, transactions: [{ type: 'status', value: 'resolved' }, { type: 'comment', value: 'Fixed the race.' }] }, tokens.maya!);
    const group = await t.db('task_events').where({ task_id: id }).whereIn('phid', closed.transactions.map((x: { phid: string }) => x.phid)).orderBy('id').select('type', 'new_value');
    expect(group).toEqual([
      { type: 'status', new_value: 'resolved' },
      { type: 'comment', new_value: 'Fixed the race.' },
      { type: 'owner', new_value: maya.id },
      // Closing gave maya the task, and commenting and being given a task subscribe you.
      { type: 'subscribers', new_value: [erin.id, maya.id].sort((a, b) => a - b) },
    ]);
    expect(await t.db('tasks').where({ id }).first()).toMatchObject({ status: 'resolved', owner_id: maya.id, closer_id: maya.id, title: 'Flaky test on CI', priority: 25 });
    const lines = timelineLines(await (await loggedIn(t.app, 'erin')).get(`/T${id}`));
    expect(lines).toContain('maya closed this task as Resolved.');
    expect(lines).toContain('maya claimed this task.');
    expect(lines).toContain('maya renamed this task from Flaky test to Flaky test on CI.');
  });

  test('plain form fields, as curl sends them: transactions[0][type]=…, an empty owner unassigns', async () => {
    const created = await callFields(t.app, 'maniphest.edit', {
      'api.token': tokens.erin!,
      'transactions[0][type]': 'title',
      'transactions[0][value]': 'Sent with curl',
      'transactions[1][type]': 'owner',
      'transactions[1][value]': bob.phid,
      'transactions[2][type]': 'subscribers.add',
      'transactions[2][value][0]': 'carol',
    });
    expect(created.error_code).toBeNull();
    const id = created.result.object.id as number;
    expect(await t.db('tasks').where({ id }).first()).toMatchObject({ title: 'Sent with curl', owner_id: bob.id });
    const unassigned = await callFields(t.app, 'maniphest.edit', {
      'api.token': tokens.erin!,
      objectIdentifier: `T${id}`,
      'transactions[0][type]': 'owner',
      'transactions[0][value]': '',
    });
    expect(unassigned.error_code).toBeNull();
    expect((await t.db('tasks').where({ id }).first()).owner_id).toBeNull();
  });

  test('owner PHIDs and null, and subscriber lists by PHID or username', async () => {
    const id = await createTask(t.domain, erin, { title: 'Rotate logs' });
    let res = await result(t.app, 'maniphest.edit', { objectIdentifier: id, transactions: [{ type: 'owner', value: bob.phid }] }, tokens.erin!);
    // Being given the task subscribes bob: an implied event.
    expect(res.transactions).toHaveLength(2);
    res = await result(t.app, 'maniphest.edit', { objectIdentifier: id, transactions: [{ type: 'owner', value: carol.phid }] }, tokens.erin!);
    // Being given the task subscribes carol (bob was subscribed the same way, and reassigning keeps him): a second, implied event.
    expect(res.transactions).toHaveLength(2);
    expect((await t.db('task_subscribers').where({ task_id: id }).pluck('user_id')).sort()).toEqual([erin.id, bob.id, carol.id].sort());
    await result(t.app, 'maniphest.edit', { objectIdentifier: id, transactions: [{ type: 'owner', value: null }] }, tokens.erin!);
    expect((await t.db('tasks').where({ id }).first()).owner_id).toBeNull();

    await result(t.app, 'maniphest.edit', { objectIdentifier: id, transactions: [{ type: 'subscribers.remove', value: [bob.phid] }, { type: 'subscribers.add', value: ['carol', maya.phid] }] }, tokens.erin!);
    expect((await t.db('task_subscribers').where({ task_id: id }).pluck('user_id')).sort()).toEqual([erin.id, carol.id, maya.id].sort());
    await result(t.app, 'maniphest.edit', { objectIdentifier: id, transactions: [{ type: 'subscribers.set', value: [rita.phid] }] }, tokens.erin!);
    expect(await t.db('task_subscribers').where({ task_id: id }).pluck('user_id')).toEqual([rita.id]);

    const lines = timelineLines(await (await loggedIn(t.app, 'erin')).get(`/T${id}`));
    expect(lines).toContain('erin reassigned this task from bob to carol.');
    expect(lines).toContain('erin removed carol as the assignee of this task.');
    // Being given the task subscribed bob and carol, each beside the line that says so, without one of its own.
    expect(lines).not.toContain('erin added a subscriber: carol.');
    expect(lines).toContain('erin edited subscribers, added: maya; removed: bob.');
  });

  test('visibility through "view"; an edit without effect writes nothing and returns no transactions', async () => {
    const id = await createTask(t.domain, maya, { title: 'Quarterly numbers' });
    const res = await result(t.app, 'maniphest.edit', { objectIdentifier: id, transactions: [{ type: 'view', value: 'maintainers' }] }, tokens.maya!);
    expect(res.transactions).toHaveLength(1);
    expect((await t.db('tasks').where({ id }).first()).view_policy).toBe('maintainers');
    const before = await eventCount();
    const same = await result(t.app, 'maniphest.edit', { objectIdentifier: `T${id}`, transactions: [{ type: 'view', value: 'maintainers' }, { type: 'comment', value: '   ' }] }, tokens.maya!);
    expect(same).toEqual({ object: { id, phid: (await t.db('tasks').where({ id }).first()).phid }, transactions: [] });
    expect(await eventCount()).toBe(before);
  });

  test('malformed transactions are refused with ERR-CONDUIT-CALL, naming the parameter and the item', async () => {
    const cases: [unknown, string][] = [
      [undefined, 'Parameter "transactions" is not a list of transactions.'],
      ['title', 'Parameter "transactions" is not a list of transactions.'],
      [['title'], 'Parameter "transactions" must contain a list of transaction descriptions, but item with key "0" is not a dictionary.'],
      [[{ value: 'x' }], 'Parameter "transactions" must contain a list of transaction descriptions, but item with key "0" is missing a "type" field. Each transaction must have a type field.'],
      [[{ type: 'title', value: 'ok' }, { type: 'title' }], 'Parameter "transactions" must contain a list of transaction descriptions, but item with key "1" is missing a "value" field. Each transaction must have a value field.'],
      [[{ type: 'points', value: 3 }], 'Transaction with key "0" has invalid type "points". This type is not recognized. Valid types are: title, description, status, priority, owner, comment, subscribers.add, subscribers.remove, subscribers.set, view, projects.add, projects.remove, projects.set, column, parents.add, parents.remove, parents.set, subtasks.add, subtasks.remove, subtasks.set, mergedinto, due.'],
      [[{ type: 'title', value: 7 }], 'Transaction with key "0" (type "title") must have a string as its value.'],
      [[{ type: 'owner', value: ['x'] }], 'Transaction with key "0" (type "owner") must have a user PHID, or null to unassign the task as its value.'],
      [[{ type: 'subscribers.add', value: 'x' }], 'Transaction with key "0" (type "subscribers.add") must have a list of user PHIDs as its value.'],
    ];
    const before = await eventCount();
    for (const [transactions, message] of cases) {
      const params = transactions === undefined ? {} : { transactions };
      expect(await call(t.app, 'maniphest.edit', params, tokens.erin!)).toEqual({ result: null, error_code: 'ERR-CONDUIT-CALL', error_info: message });
    }
    expect(await call(t.app, 'maniphest.edit', { transactions: [], objectIdentifier: { id: 1 } }, tokens.erin!)).toEqual({
      result: null,
      error_code: 'ERR-CONDUIT-CALL',
      error_info: 'Parameter "objectIdentifier" must be a task PHID, a monogram such as "T123" or an ID.',
    });
    expect(await call(t.app, 'maniphest.edit', { transactions: [], color: 'red' }, tokens.erin!)).toEqual({
      result: null,
      error_code: 'ERR-CONDUIT-CALL',
      error_info: 'API method "maniphest.edit" does not define these parameters: color.',
    });
    expect(await eventCount()).toBe(before);
  });

  test("a rule the edit breaks is refused with ERR-CONDUIT-CORE and the web form's sentence, and nothing is written", async () => {
    const id = await createTask(t.domain, erin, { title: 'Upgrade the driver' });
    const before = await eventCount();
    const tasksBefore = Number((await t.db('tasks').count<{ n: number }[]>({ n: '*' }))[0]!.n);
    const cases: [Record<string, unknown>, string, string][] = [
      [{ transactions: [{ type: 'priority', value: 'soon' }] }, 'erin', '"soon" is not a valid priority. Use a priority keyword: unbreak, triage, high, normal, low, wish.'],
      [{ transactions: [{ type: 'title', value: '   ' }] }, 'erin', 'Tasks must have a title.'],
      [{ transactions: [{ type: 'title', value: 'x'.repeat(256) }] }, 'erin', 'Task titles are at most 255 characters.'],
      [{ transactions: [{ type: 'status', value: 'done' }] }, 'maya', '"done" is not a valid status. Choose one of: open, resolved, wontfix, invalid.'],
      [{ transactions: [{ type: 'view', value: 'everyone' }] }, 'maya', '"everyone" is not a visibility. Choose one of: public, users, maintainers.'],
      [{ transactions: [{ type: 'owner', value: 'PHID-USER-aaaaaaaaaaaaaaaaaaaa' }] }, 'erin', 'User "PHID-USER-aaaaaaaaaaaaaaaaaaaa" is not a valid user.'],
      [{ transactions: [{ type: 'subscribers.add', value: ['nobody-here'] }] }, 'erin', 'There is no user named "nobody-here".'],
      [{ transactions: [{ type: 'status', value: 'resolved' }] }, 'erin', 'You do not have permission to change the status of this task.'],
      [{ transactions: [{ type: 'comment', value: 'Me too.' }] }, 'rita', 'You do not have permission to comment on this task.'],
      [{ transactions: [{ type: 'title', value: 'Mine now' }] }, 'rita', 'You do not have permission to change the title of this task.'],
    ];
    for (const [params, who, message] of cases) {
      expect(await call(t.app, 'maniphest.edit', { objectIdentifier: id, ...params }, tokens[who]!)).toEqual({ result: null, error_code: 'ERR-CONDUIT-CORE', error_info: message });
    }
    expect(await call(t.app, 'maniphest.edit', { transactions: [{ type: 'description', value: 'No title' }] }, tokens.erin!)).toEqual({
      result: null,
      error_code: 'ERR-CONDUIT-CORE',
      error_info: 'Tasks must have a title.',
    });
    expect(await call(t.app, 'maniphest.edit', { transactions: [{ type: 'title', value: 'From a reader' }] }, tokens.rita!)).toEqual({
      result: null,
      error_code: 'ERR-CONDUIT-CORE',
      error_info: 'You do not have permission to create tasks.',
    });
    expect(await eventCount()).toBe(before);
    expect(Number((await t.db('tasks').count<{ n: number }[]>({ n: '*' }))[0]!.n)).toBe(tasksBefore);
  });

  test('a disabled account cannot become the owner', async () => {
    const dora = await createUser(t.db, { username: 'dora', role: 'engineer' });
    await setAccountDisabled(t.db, dora.id, true);
    const id = await createTask(t.domain, erin, { title: 'Hand over' });
    expect(await call(t.app, 'maniphest.edit', { objectIdentifier: id, transactions: [{ type: 'owner', value: dora.phid }] }, tokens.erin!)).toEqual({
      result: null,
      error_code: 'ERR-CONDUIT-CORE',
      error_info: 'The account "dora" is disabled.',
    });
  });

  test('a task the token may not see is "not found", exactly like one that does not exist', async () => {
    const secret = await createTask(t.domain, maya, { title: 'Salary review', view: 'maintainers' });
    const phid = (await t.db('tasks').where({ id: secret }).first()).phid as string;
    const missing = secret + 1000;
    const edit = (objectIdentifier: unknown) => call(t.app, 'maniphest.edit', { objectIdentifier, transactions: [{ type: 'comment', value: 'Hello?' }] }, tokens.erin!);
    expect(await edit(secret)).toEqual({ result: null, error_code: 'ERR-CONDUIT-CORE', error_info: `No object exists with ID "${secret}".` });
    expect(await edit(missing)).toEqual({ result: null, error_code: 'ERR-CONDUIT-CORE', error_info: `No object exists with ID "${missing}".` });
    expect(await edit(`T${secret}`)).toEqual({ result: null, error_code: 'ERR-CONDUIT-CORE', error_info: `Monogram "T${secret}" does not identify a valid object.` });
    expect(await edit(`T${missing}`)).toEqual({ result: null, error_code: 'ERR-CONDUIT-CORE', error_info: `Monogram "T${missing}" does not identify a valid object.` });
    expect(await edit(phid)).toEqual({ result: null, error_code: 'ERR-CONDUIT-CORE', error_info: `No object exists with PHID "${phid}".` });
    expect(await edit('PHID-TASK-aaaaaaaaaaaaaaaaaaaa')).toEqual({ result: null, error_code: 'ERR-CONDUIT-CORE', error_info: 'No object exists with PHID "PHID-TASK-aaaaaaaaaaaaaaaaaaaa".' });
    expect(await edit(maya.phid)).toEqual({ result: null, error_code: 'ERR-CONDUIT-CORE', error_info: `No object exists with PHID "${maya.phid}".` });
    expect(await edit('T0')).toEqual({ result: null, error_code: 'ERR-CONDUIT-CORE', error_info: 'Monogram "T0" does not identify a valid object.' });
    expect(await edit(0)).toEqual({ result: null, error_code: 'ERR-CONDUIT-CORE', error_info: 'No object exists with ID "0".' });
    expect(await edit('99999999999')).toEqual({ result: null, error_code: 'ERR-CONDUIT-CORE', error_info: 'No object exists with ID "99999999999".' });
    expect(await t.db('task_events').where({ task_id: secret, type: 'comment' }).count<{ n: number }[]>({ n: '*' })).toEqual([{ n: 0 }]);
    // The maintainer who may see it edits it as usual.
    expect((await call(t.app, 'maniphest.edit', { objectIdentifier: phid, transactions: [{ type: 'comment', value: 'Done.' }] }, tokens.maya!)).error_code).toBeNull();
  });
});
