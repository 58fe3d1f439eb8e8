import { AppError, ValidationError } from '../../server/errors';
import { applyEdit } from '../../server/tasks/editor';
import type { EventRow } from '../../server/tasks/event-repository';
import type { Change } from '../../server/tasks/events/types';
import { setDisabled } from '../../server/users/repository';
import type { User } from '../../server/users/user';
import { useTestApp } from '../support/app';
import { onPostgres } from '../support/db';
import { createTask, createUser, edit } from '../support/factories';

describe('applyEdit, the one write path for tasks', () => {
  const t = useTestApp();
  let alice: User;
  let bob: User;
  let carol: User;
  let maya: User;

  beforeAll(async () => {
    alice = await createUser(t.db, { username: 'alice', role: 'engineer' });
    bob = await createUser(t.db, { username: 'bob', role: 'engineer' });
    carol = await createUser(t.db, { username: 'carol', role: 'engineer' });
    maya = await createUser(t.db, { username: 'maya', role: 'maintainer' });
  });

  // The columns that hold a task's state; search vectors and identifiers are derived elsewhere.
  const STATE_COLUMNS = ['id', 'title', 'description', 'status', 'priority', 'owner_id', 'author_id', 'view_policy', 'created_at', 'updated_at', 'closed_at', 'closer_id'];
  const taskRow = (id: number) => t.db('tasks').select(STATE_COLUMNS).where({ id }).first();
  const eventsOf = (id: number): Promise<EventRow[]> => t.db('task_events').where({ task_id: id }).orderBy('id');
  const subscriberIds = async (id: number) =>
    (await t.db('task_subscribers').where({ task_id: id }).orderBy('user_id')).map((r: { user_id: number }) => r.user_id);
  const count = async (table: string) => Number((await t.db(table).count({ n: '*' }).first())!.n);
  const rowCounts = async () => ({ tasks: await count('tasks'), events: await count('task_events'), subscribers: await count('task_subscribers') });

  /** The refusal an edit ends with, so its status and field messages can be checked exactly. */
  async function refusal(promise: Promise<unknown>): Promise<ValidationError> {
    const err = await promise.then(
      () => null,
      (e: unknown) => e,
    );
    if (!(err instanceof ValidationError)) throw new Error(`Expected a ValidationError, got ${String(err)}`);
    return err;
  }

  describe('T-numbers', () => {
    test('come from the database, in order, and are never handed out again', async () => {
      const first = await createTask(t.domain, alice, { title: 'First' });
      const second = await createTask(t.domain, alice, { title: 'Second' });
      expect(second).toBe(first + 1);

      // A create that fails after its row was inserted still uses up its number.
      await t.db.raw(`ALTER TABLE task_events ADD CONSTRAINT test_refuse_doomed CHECK (new_value IS DISTINCT FROM '"Doomed"'::jsonb)`);
      try {
        await expect(applyEdit(t.domain, alice, null, [{ type: 'title', value: 'Doomed' }])).rejects.toThrow(/test_refuse_doomed/);
      } finally {
        await t.db.raw('ALTER TABLE task_events DROP CONSTRAINT test_refuse_doomed');
      }
      expect(await t.db('tasks').where({ title: 'Doomed' }).first()).toBeUndefined();
      const third = await createTask(t.domain, alice, { title: 'Third' });
      expect(third).toBe(second + 2);

      // Nor does removing the newest task free its number for the next one.
      await t.db('tasks').where({ id: third }).del();
      const fourth = await createTask(t.domain, alice, { title: 'Fourth' });
      expect(fourth).toBe(third + 1);
    });

    test('a create refused by validation writes nothing', async () => {
      const before = await rowCounts();
      const err = await refusal(applyEdit(t.domain, alice, null, [{ type: 'title', value: '   ' }]));
      expect(err.status).toBe(422);
      expect(err.fields).toEqual({ title: 'Tasks must have a title.' });
      expect(await rowCounts()).toEqual(before);
    });
  });

  describe('the title', () => {
    test('is stored trimmed', async () => {
      const id = await createTask(t.domain, alice, { title: '  \t Padded title \n ' });
      expect((await taskRow(id)).title).toBe('Padded title');
      await edit(t.domain, bob, id, { title: '   Renamed   ' });
      expect((await taskRow(id)).title).toBe('Renamed');
      const title = (await eventsOf(id)).filter((e) => e.type === 'title').map((e) => [e.old_value, e.new_value]);
      expect(title).toEqual([
        ['', 'Padded title'],
        ['Padded title', 'Renamed'],
      ]);
    });

    test('is required on create and cannot be emptied later', async () => {
      const noTitle = await refusal(applyEdit(t.domain, alice, null, [{ type: 'priority', value: 'high' }]));
      expect(noTitle.fields).toEqual({ title: 'Tasks must have a title.' });
      const empty = await refusal(applyEdit(t.domain, alice, null, [{ type: 'title', value: '' }]));
      expect(empty.fields).toEqual({ title: 'Tasks must have a title.' });

      const id = await createTask(t.domain, alice, { title: 'Keep me' });
      const before = await eventsOf(id);
      const blank = await refusal(edit(t.domain, bob, id, { title: ' \n ' }));
      expect(blank.status).toBe(422);
      expect(blank.fields).toEqual({ title: 'Tasks must have a title.' });
      expect((await taskRow(id)).title).toBe('Keep me');
      expect(await eventsOf(id)).toEqual(before);
    });

    test('is at most 255 characters, counted as characters rather than UTF-16 units', async () => {
      const longest = 'x'.repeat(255);
      const id = await createTask(t.domain, alice, { title: longest });
      expect((await taskRow(id)).title).toBe(longest);

      // Each of these is two UTF-16 units but one character, as PostgreSQL counts them.
      const emoji = '🐛'.repeat(255);
      const emojiId = await createTask(t.domain, alice, { title: emoji });
      expect((await taskRow(emojiId)).title).toBe(emoji);

      const before = await rowCounts();
      const tooLong = await refusal(applyEdit(t.domain, alice, null, [{ type: 'title', value: 'x'.repeat(256) }]));
      expect(tooLong.fields).toEqual({ title: 'Task titles are at most 255 characters.' });
      const renamed = await refusal(edit(t.domain, alice, id, { title: '🐛'.repeat(256) }));
      expect(renamed.fields).toEqual({ title: 'Task titles are at most 255 characters.' });
      // Surrounding spaces are trimmed before the length is counted.
      const padded = await createTask(t.domain, alice, { title: `  ${'y'.repeat(255)}  ` });
      expect((await taskRow(padded)).title).toBe('y'.repeat(255));
      expect((await rowCounts()).events).toBe(before.events + 3);
    });
  });

  test('the author is subscribed when the task is created, in the create group', async () => {
    const id = await createTask(t.domain, carol, { title: 'Subscribe me' });
    expect(await subscriberIds(id)).toEqual([carol.id]);
    const events = await eventsOf(id);
    expect(events.map((e) => e.type)).toEqual(['create', 'title', 'subscribers']);
    expect(events[2]).toMatchObject({ old_value: [], new_value: [carol.id], actor_id: carol.id });
    expect((await taskRow(id)).author_id).toBe(carol.id);
  });

  describe('closing and reopening', () => {
    test('closing an unassigned task assigns it to the closer', async () => {
      const id = await createTask(t.domain, alice, { title: 'Unassigned' });
      const result = await edit(t.domain, maya, id, { status: 'resolved' });
      expect(result.events.map((e) => [e.type, e.old, e.new])).toEqual([
        ['status', 'open', 'resolved'],
        ['owner', null, maya.id],
        // Being given the task subscribes the closer.
        ['subscribers', [alice.id], [alice.id, maya.id]],
      ]);
      const row = await taskRow(id);
      expect(row).toMatchObject({ status: 'resolved', owner_id: maya.id, closer_id: maya.id });
    });

    test('closing as Wontfix assigns the closer too', async () => {
      const id = await createTask(t.domain, alice, { title: 'Will not fix' });
      await edit(t.domain, maya, id, { status: 'wontfix' });
      expect((await taskRow(id)).owner_id).toBe(maya.id);
    });

    test('closing as Invalid leaves the task unassigned', async () => {
      const id = await createTask(t.domain, alice, { title: 'Not a bug' });
      const result = await edit(t.domain, maya, id, { status: 'invalid' });
      expect(result.events.map((e) => e.type)).toEqual(['status']);
      expect(await taskRow(id)).toMatchObject({ status: 'invalid', owner_id: null, closer_id: maya.id });
    });

    test('closing an assigned task keeps its owner', async () => {
      const id = await createTask(t.domain, alice, { title: 'Owned', owner: 'bob' });
      const result = await edit(t.domain, maya, id, { status: 'resolved' });
      expect(result.events.map((e) => e.type)).toEqual(['status']);
      expect(await taskRow(id)).toMatchObject({ owner_id: bob.id, closer_id: maya.id });
    });

    test('closing in the same submission as assigning someone else does not assign the closer', async () => {
      const id = await createTask(t.domain, alice, { title: 'Hand over and close' });
      await edit(t.domain, maya, id, { owner: 'carol', status: 'resolved' });
      expect(await taskRow(id)).toMatchObject({ owner_id: carol.id, closer_id: maya.id });
    });

    test('closing sets closed_at and closer_id, reopening clears them, changing between closed statuses keeps them', async () => {
      const admin = await createUser(t.db, { role: 'admin' });
      const id = await createTask(t.domain, alice, { title: 'Round trip' });
      expect(await taskRow(id)).toMatchObject({ closed_at: null, closer_id: null });

      const closed = await edit(t.domain, maya, id, { status: 'resolved' });
      const row = await taskRow(id);
      expect(row.closer_id).toBe(maya.id);
      expect(row.closed_at).toEqual(closed.events[0]!.createdAt);

      // Another closed status is not a new closing: who closed it and when stay.
      await edit(t.domain, admin, id, { status: 'wontfix' });
      expect(await taskRow(id)).toMatchObject({ status: 'wontfix', closer_id: maya.id, closed_at: row.closed_at });

      await edit(t.domain, admin, id, { status: 'open' });
      expect(await taskRow(id)).toMatchObject({ status: 'open', closed_at: null, closer_id: null });

      const again = await edit(t.domain, admin, id, { status: 'invalid' });
      expect(await taskRow(id)).toMatchObject({ closer_id: admin.id, closed_at: again.events[0]!.createdAt });
    });
  });

  describe('owners', () => {
    test('being given a task subscribes you, and reassigning keeps the previous owner as a subscriber', async () => {
      const id = await createTask(t.domain, alice, { title: 'Pass it on', owner: 'bob' });
      expect(await subscriberIds(id)).toEqual([alice.id, bob.id]);
      await edit(t.domain, alice, id, { subscribers: { remove: ['bob'] } });

      const result = await edit(t.domain, alice, id, { owner: 'carol' });
      expect(result.events.map((e) => [e.type, e.old, e.new])).toEqual([
        ['owner', bob.id, carol.id],
        ['subscribers', [alice.id], [alice.id, bob.id, carol.id]],
      ]);
      expect(await subscriberIds(id)).toEqual([alice.id, bob.id, carol.id]);

      // Removing the owner keeps them subscribed too; one already subscribed is not added twice.
      await edit(t.domain, alice, id, { owner: 'bob' });
      await edit(t.domain, alice, id, { owner: null });
      expect(await subscriberIds(id)).toEqual([alice.id, bob.id, carol.id]);
      expect((await taskRow(id)).owner_id).toBeNull();
    });

    test.each([
      ['an unknown user', 'nobody', 'There is no user named "nobody".'],
      ['a disabled user', 'dora', 'The account "dora" is disabled.'],
    ])('%s as owner is refused, with nothing of the submission written', async (_what, owner, message) => {
      const dora = (await t.db('users').where({ username: 'dora' }).first()) ?? (await createUser(t.db, { username: 'dora' }));
      await setDisabled(t.db, dora.id, true);
      const id = await createTask(t.domain, alice, { title: 'Careful', priority: 'low' });
      const row = await taskRow(id);
      const before = await rowCounts();

      const err = await refusal(edit(t.domain, alice, id, { title: 'Changed', priority: 'high', owner, comment: 'Taking this.' }));
      expect(err.status).toBe(422);
      expect(err.fields).toEqual({ owner: message });
      expect(await taskRow(id)).toEqual(row);
      expect(await rowCounts()).toEqual(before);

      const create = await refusal(applyEdit(t.domain, alice, null, [{ type: 'title', value: 'New' }, { type: 'owner', value: owner }]));
      expect(create.fields).toEqual({ owner: message });
      expect(await rowCounts()).toEqual(before);
    });
  });

  describe('changes without effect', () => {
    test('are dropped: no event, no group, no new update time', async () => {
      const id = await createTask(t.domain, alice, { title: 'Same', priority: 'normal', description: 'Text', owner: 'bob' });
      const row = await taskRow(id);
      const before = await eventsOf(id);

      const result = await edit(t.domain, alice, id, { title: '  Same ', priority: 'normal', description: 'Text\n\n', owner: 'bob', comment: '  \n ', view: 'users', subscribers: { add: [alice.id] } });
      expect(result.events).toEqual([]);
      expect(result.groupId).toBe('');
      expect(await eventsOf(id)).toEqual(before);
      expect(await taskRow(id)).toEqual(row);
    });

    test('are dropped from a submission that also changes something', async () => {
      const id = await createTask(t.domain, alice, { title: 'Mixed', priority: 'normal' });
      const result = await edit(t.domain, alice, id, { title: 'Mixed', priority: 'high' });
      expect(result.events.map((e) => [e.type, e.old, e.new])).toEqual([['priority', 50, 80]]);
    });
  });

  test('one submission is one group: every event of it shares one group_id, and no other event does', async () => {
    const id = await createTask(t.domain, alice, { title: 'Grouped', priority: 'high', owner: 'bob', description: 'Body' });
    const first = await edit(t.domain, maya, id, { title: 'Regrouped', priority: 'low', status: 'resolved', comment: 'Done.' });
    const second = await edit(t.domain, alice, id, { comment: 'Thanks.' });

    const events = await eventsOf(id);
    const groups = new Map<string, string[]>();
    for (const e of events) groups.set(e.group_id, [...(groups.get(e.group_id) ?? []), e.type]);
    expect([...groups.values()]).toEqual([
      ['create', 'title', 'description', 'priority', 'owner', 'subscribers'],
      // Commenting subscribes maya; alice is subscribed already.
      ['title', 'priority', 'status', 'comment', 'subscribers'],
      ['comment'],
    ]);
    expect([...groups.keys()].slice(1)).toEqual([first.groupId, second.groupId]);
    expect(first.events.every((e) => e.groupId === first.groupId)).toBe(true);
    // One submission is written at one moment.
    expect(new Set(events.filter((e) => e.group_id === first.groupId).map((e) => e.created_at.getTime())).size).toBe(1);
  });

  test('twenty concurrent edits of one task all land, in a consistent order, and the row equals the end state of its events', async () => {
    const dave = await createUser(t.db, { username: 'dave', role: 'maintainer' });
    const id = await createTask(t.domain, alice, { title: 'Busy task' });
    const people = [alice, bob, carol, dave];
    const priorities = ['high', 'low', 'unbreak', 'normal', 'wish'];

    // Every submission carries something unique (a title or a comment), so each one must leave a group.
    const submissions: { actor: User; changes: Change[] }[] = Array.from({ length: 20 }, (_, i) => {
      const actor = people[i % people.length]!;
      const changes: Change[] = [];
      if (i % 4 === 0) changes.push({ type: 'title', value: `Busy task, take ${i}` });
      else changes.push({ type: 'comment', value: `Comment ${i}` });
      if (i % 2 === 1) changes.push({ type: 'priority', value: priorities[i % priorities.length] });
      // Claims and assignments to all four people: some owner is always replaced, which subscribes them.
      if (i % 3 === 0) changes.push({ type: 'owner', value: i % 6 === 0 ? actor.username : people[(i / 3) % people.length]!.username });
      if (actor === dave) changes.push({ type: 'status', value: i % 8 === 3 ? 'resolved' : 'open' });
      return { actor, changes };
    });
    const results = await Promise.all(submissions.map((s) => applyEdit(t.domain, s.actor, id, s.changes)));

    const events = await eventsOf(id);
    const later = events.filter((e) => e.type !== 'create' && e.group_id !== events[0]!.group_id);
    expect(new Set(later.map((e) => e.group_id)).size).toBe(20);
    expect(new Set(results.map((r) => r.groupId))).toEqual(new Set(later.map((e) => e.group_id)));
    expect(results.reduce((n, r) => n + r.events.length, 0)).toBe(later.length);
    for (let i = 0; i < 20; i++) {
      const mine = later.filter((e) => e.group_id === results[i]!.groupId);
      expect(mine.every((e) => e.actor_id === submissions[i]!.actor.id)).toBe(true);
      const unique = i % 4 === 0 ? { type: 'title', new_value: `Busy task, take ${i}` } : { type: 'comment', new_value: `Comment ${i}` };
      expect(mine).toContainEqual(expect.objectContaining(unique));
    }
    // Groups were written one after another: no group's events interleave with another's.
    const order = later.map((e) => e.group_id).filter((g, i, all) => all[i - 1] !== g);
    expect(order).toHaveLength(20);

    // Replay the events from the blank state; each one must start where the previous left its field.
    const blank = t.tracker.blankState();
    const state: Record<string, unknown> = {
      title: blank.title,
      description: blank.description,
      status: blank.status,
      priority: blank.priority,
      owner_id: blank.ownerId,
      view_policy: blank.view,
      subscribers: blank.subscriberIds,
      author_id: null,
      created_at: null,
      updated_at: null,
      closed_at: null,
      closer_id: null,
    };
    const column: Record<string, string> = { title: 'title', description: 'description', status: 'status', priority: 'priority', owner: 'owner_id', view: 'view_policy', subscribers: 'subscribers' };
    for (const e of events) {
      state.updated_at = e.created_at;
      if (e.type === 'create') {
        state.author_id = e.actor_id;
        state.created_at = e.created_at;
        continue;
      }
      if (e.type === 'comment') continue;
      const key = column[e.type];
      if (!key) throw new Error(`Unexpected event type ${e.type}`);
      expect({ event: e.id, type: e.type, old: e.old_value }).toEqual({ event: e.id, type: e.type, old: state[key] });
      state[key] = e.new_value;
      if (e.type === 'status') {
        const wasClosed = t.tracker.isClosed(String(e.old_value));
        const isClosed = t.tracker.isClosed(String(e.new_value));
        if (!wasClosed && isClosed) Object.assign(state, { closed_at: e.created_at, closer_id: e.actor_id });
        if (wasClosed && !isClosed) Object.assign(state, { closed_at: null, closer_id: null });
      }
    }

    const { id: _id, ...row } = await taskRow(id);
    expect({ ...row, subscribers: await subscriberIds(id) }).toEqual(state);
    // The run really did move every kind of field, so the replay compared something.
    expect(new Set(later.map((e) => e.type))).toEqual(new Set(['title', 'comment', 'priority', 'owner', 'subscribers', 'status']));
  });

  // Two transactions at once: the embedded database has one connection.
  (onPostgres() ? test : test.skip)('an edit that waited for another edit of the task starts from all that edit wrote, not only its row', async () => {
    const id = await createTask(t.domain, alice, { title: 'Contended' });
    // Another edit, held open: it has written the row and, beside it, a subscriber.
    const other = await t.db.transaction();
    await other('tasks').where({ id }).update({ updated_at: new Date() });
    await other('task_subscribers').insert({ task_id: id, user_id: carol.id });
    const waiting = applyEdit(t.domain, bob, id, [{ type: 'comment', value: 'Me too.' }]);
    const lockWaits = async () =>
      Number((await t.db.raw(`SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`)).rows[0].n);
    while ((await lockWaits()) === 0) await new Promise((resolve) => setTimeout(resolve, 20));
    await other.commit();

    const { events } = await waiting;
    const subscribed = events.find((e) => e.type === 'subscribers');
    expect([subscribed?.old, subscribed?.new]).toEqual([[alice.id, carol.id].sort((a, b) => a - b), [alice.id, bob.id, carol.id].sort((a, b) => a - b)]);
    expect(await subscriberIds(id)).toEqual([alice.id, bob.id, carol.id].sort((a, b) => a - b));
  });

  test('an edit by someone who may not see the task is refused as not found', async () => {
    const reader = await createUser(t.db, { role: 'reader' });
    const id = await createTask(t.domain, maya, { title: 'Hidden', view: 'maintainers' });
    for (const outsider of [reader, alice]) {
      const err = await edit(t.domain, outsider, id, { comment: 'Hello' }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AppError);
      expect(err).toMatchObject({ status: 404, code: 'not-found' });
    }
    expect((await eventsOf(id)).map((e) => e.type)).not.toContain('comment');
  });

  test('text from any path in is stored safely: NUL becomes U+FFFD, a title is one line without other control characters', async () => {
    const { taskId } = await applyEdit(t.domain, alice, null, [
      { type: 'title', value: ' Crash\tin\r\nparser\u0000\u0007 ' },
      { type: 'description', value: 'before\u0000after\r\nnext line' },
    ]);
    const row = await taskRow(taskId);
    expect(row.title).toBe('Crash in parser\uFFFD');
    expect(row.description).toBe('before\uFFFDafter\nnext line');
    await edit(t.domain, alice, taskId, { comment: 'a\u0000b' });
    const comment = (await eventsOf(taskId)).find((e) => e.type === 'comment')!;
    expect(comment.new_value).toBe('a\uFFFDb');
  });
});
