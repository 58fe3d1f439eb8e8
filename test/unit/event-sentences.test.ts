import { buildTrackerConfig, DEFAULT_PRIORITIES, DEFAULT_STATUSES } from '../../server/tracker-config';
import { describeEvent } from '../../server/tasks/events/registry';
import type { UserRef } from '../../server/tasks/events/sentence';
import type { StoredEvent } from '../../server/tasks/events/types';
import { Tracker } from '../../server/tasks/task';

const ALICE = 1;
const BOB = 2;
const CAROL = 3;
const NAMES = new Map<number, string>([
  [ALICE, 'alice'],
  [BOB, 'bob'],
  [CAROL, 'carol'],
]);

// As the task page resolves them: an id with no account still renders.
const user = (id: number | null): UserRef => {
  const name = id === null ? undefined : NAMES.get(id);
  return name ? { kind: 'user', id, username: name } : { kind: 'user', id: null, username: 'unknown user' };
};

const tracker = new Tracker(buildTrackerConfig({}));

let nextId = 1;
function stored(type: string, old: unknown, value: unknown, actorId = ALICE): StoredEvent {
  return { id: nextId++, taskId: 7, groupId: 'g', actorId, type, old, new: value, source: 'web', createdAt: new Date('2018-01-05T20:14:00Z') };
}

function sentence(type: string, old: unknown, value: unknown, opts: { actorId?: number; tracker?: Tracker; user?: typeof user } = {}) {
  const actorId = opts.actorId ?? ALICE;
  const lookup = opts.user ?? user;
  const line = describeEvent(stored(type, old, value, actorId), { tracker: opts.tracker ?? tracker, actor: lookup(actorId), user: lookup, task: () => undefined });
  if (!line) throw new Error(`${type} rendered no line`);
  return line;
}

const text = (type: string, old: unknown, value: unknown, actorId = ALICE) => sentence(type, old, value, { actorId }).text;

const link = (name: string) => `<a class="user" href="/p/${name}/">${name}</a>`;
const val = (v: string) => `<span class="value">${v}</span>`;

describe('the sentence of each event type', () => {
  test('creating', () => {
    expect(text('create', null, true)).toBe('alice created this task.');
  });

  test.each([
    ['triaged from the default', 90, 80, 'alice triaged this task as High priority.'],
    ['triaged even when the new priority is lower', 90, 25, 'alice triaged this task as Low priority.'],
    ['raised', 50, 80, 'alice raised the priority of this task from Normal to High.'],
    ['raised to the top', 0, 100, 'alice raised the priority of this task from Wishlist to Unbreak Now!.'],
    ['lowered', 80, 25, 'alice lowered the priority of this task from High to Low.'],
    ['lowered back to the default', 80, 90, 'alice raised the priority of this task from High to Needs Triage.'],
    ['raised from a value no longer configured', 37, 80, 'alice raised the priority of this task from 37 to High.'],
    ['lowered to a value no longer configured', 50, 37, 'alice lowered the priority of this task from Normal to 37.'],
    ['triaged to a value no longer configured', 90, 37, 'alice triaged this task as 37 priority.'],
  ])('priority: %s', (_case, old, value, expected) => {
    expect(text('priority', old, value)).toBe(expected);
  });

  test('priority names come from the install configuration', () => {
    const custom = new Tracker(
      buildTrackerConfig({
        priorities: [
          { value: 10, name: 'Someday', keyword: 'someday', color: 'grey' },
          { value: 60, name: 'Soon', keyword: 'soon', color: 'orange' },
        ],
        defaultPriority: 10,
      }),
    );
    expect(sentence('priority', 10, 60, { tracker: custom }).text).toBe('alice triaged this task as Soon priority.');
    expect(sentence('priority', 60, 10, { tracker: custom }).text).toBe('alice lowered the priority of this task from Soon to Someday.');
  });

  test.each([
    ['claimed', null, ALICE, 'alice claimed this task.'],
    ['claimed from someone else', BOB, ALICE, 'alice claimed this task.'],
    ['assigned', null, BOB, 'alice assigned this task to bob.'],
    ['reassigned', BOB, CAROL, 'alice reassigned this task from bob to carol.'],
    ['removed', BOB, null, 'alice removed bob as the assignee of this task.'],
    ['assigned to a deleted account', null, 99, 'alice assigned this task to unknown user.'],
  ])('owner: %s', (_case, old, value, expected) => {
    expect(text('owner', old, value)).toBe(expected);
  });

  test.each([
    ['closed', 'open', 'resolved', 'alice closed this task as Resolved.'],
    ['closed as invalid', 'open', 'invalid', 'alice closed this task as Invalid.'],
    ['reopened', 'resolved', 'open', 'alice reopened this task as Open.'],
    ['changed between closed statuses', 'wontfix', 'resolved', 'alice changed the task status from Wontfix to Resolved.'],
    ['changed from a status no longer configured', 'stalled', 'open', 'alice changed the task status from stalled to Open.'],
    ['closed as a status no longer configured', 'open', 'fixed', 'alice changed the task status from Open to fixed.'],
  ])('status: %s', (_case, old, value, expected) => {
    expect(text('status', old, value)).toBe(expected);
  });

  test('renaming and describing', () => {
    expect(text('title', 'Old title', 'New title')).toBe('alice renamed this task from Old title to New title.');
    expect(text('description', 'before', 'after')).toBe('alice updated the task description.');
  });

  test('a comment', () => {
    expect(text('comment', null, 'Fixed by caching.')).toBe('alice added a comment.');
  });

  test.each([
    ['subscribed', [BOB], [ALICE, BOB], 'alice subscribed.'],
    ['unsubscribed', [ALICE, BOB], [BOB], 'alice unsubscribed.'],
    ['added a subscriber', [ALICE], [ALICE, BOB], 'alice added a subscriber: bob.'],
    ['removed a subscriber', [ALICE, BOB], [ALICE], 'alice removed a subscriber: bob.'],
    ['added subscribers', [], [BOB, CAROL], 'alice added subscribers: bob, carol.'],
    ['removed subscribers', [BOB, CAROL], [], 'alice removed subscribers: bob, carol.'],
    ['added herself and another', [], [ALICE, BOB], 'alice added subscribers: alice, bob.'],
    ['added and removed', [ALICE, BOB], [ALICE, CAROL], 'alice edited subscribers, added: carol; removed: bob.'],
    ['swapped herself for others', [ALICE], [BOB, CAROL], 'alice edited subscribers, added: bob, carol; removed: alice.'],
  ])('subscribers: %s', (_case, old, value, expected) => {
    expect(text('subscribers', old, value)).toBe(expected);
  });

  test('subscribers: someone else subscribing is not "subscribed"', () => {
    expect(text('subscribers', [ALICE], [ALICE, BOB], BOB)).toBe('bob subscribed.');
    expect(text('subscribers', [ALICE, BOB], [BOB], BOB)).toBe('bob removed a subscriber: alice.');
  });

  test.each([
    ['users', 'public', 'alice changed the visibility from "All Users" to "Public".'],
    ['public', 'maintainers', 'alice changed the visibility from "Public" to "Maintainers".'],
    ['maintainers', 'users', 'alice changed the visibility from "Maintainers" to "All Users".'],
  ])('visibility: %s to %s', (old, value, expected) => {
    expect(text('view', old, value)).toBe(expected);
  });

  test('a stored type this version does not know still renders', () => {
    const s = sentence('estimate', 4, 5);
    expect(s.text).toBe('alice edited this task.');
    expect(s.html).toBe(`${link('alice')} edited this task.`);
  });
});

describe('the HTML of a sentence', () => {
  test('links the actor and every person named to their profile', () => {
    expect(sentence('owner', BOB, CAROL).html).toBe(`${link('alice')} reassigned this task from ${link('bob')} to ${link('carol')}.`);
    expect(sentence('subscribers', [], [BOB, CAROL]).html).toBe(`${link('alice')} added subscribers: ${link('bob')}, ${link('carol')}.`);
    expect(sentence('subscribers', [BOB], [CAROL]).html).toBe(
      `${link('alice')} edited subscribers, added: ${link('carol')}; removed: ${link('bob')}.`,
    );
  });

  test('marks quoted values', () => {
    expect(sentence('priority', 50, 80).html).toBe(`${link('alice')} raised the priority of this task from ${val('Normal')} to ${val('High')}.`);
    expect(sentence('status', 'open', 'resolved').html).toBe(`${link('alice')} closed this task as ${val('Resolved')}.`);
  });

  test('escapes a hostile title', () => {
    const s = sentence('title', '<img src=x onerror=alert(1)>', 'Fix "quotes" & <b>tags</b>');
    expect(s.text).toBe('alice renamed this task from <img src=x onerror=alert(1)> to Fix "quotes" & <b>tags</b>.');
    expect(s.html).toBe(
      `${link('alice')} renamed this task from ${val('&lt;img src&#61;x onerror&#61;alert(1)&gt;')} to ${val('Fix &quot;quotes&quot; &amp; &lt;b&gt;tags&lt;/b&gt;')}.`,
    );
    expect(s.html).not.toContain('<img');
    expect(s.html).not.toContain('<b>');
  });

  test('escapes the quotes around visibility names', () => {
    expect(sentence('view', 'users', 'public').html).toBe(`${link('alice')} changed the visibility from &quot;All Users&quot; to &quot;Public&quot;.`);
  });

  test('escapes status and priority names from configuration', () => {
    const hostile = new Tracker(
      buildTrackerConfig({
        statuses: [...DEFAULT_STATUSES, { key: 'shipped', name: '<script>alert(1)</script>', closed: true, claim: true, reserved: false }],
        priorities: [...DEFAULT_PRIORITIES, { value: 95, name: '<i>Hot</i>', keyword: 'hot', color: 'red' }],
      }),
    );
    expect(sentence('status', 'open', 'shipped', { tracker: hostile }).html).toBe(
      `${link('alice')} closed this task as ${val('&lt;script&gt;alert(1)&lt;/script&gt;')}.`,
    );
    expect(sentence('priority', 90, 95, { tracker: hostile }).html).toBe(`${link('alice')} triaged this task as ${val('&lt;i&gt;Hot&lt;/i&gt;')} priority.`);
  });

  test('escapes and encodes hostile user names', () => {
    const hostileUser = (id: number | null): UserRef =>
      id === BOB ? { kind: 'user', id: BOB, username: '"><script>x</script>' } : user(id);
    const s = sentence('subscribers', [ALICE], [ALICE, BOB], { user: hostileUser });
    expect(s.text).toBe('alice added a subscriber: "><script>x</script>.');
    expect(s.html).toBe(
      `${link('alice')} added a subscriber: <a class="user" href="/p/%22%3E%3Cscript%3Ex%3C%2Fscript%3E/">&quot;&gt;&lt;script&gt;x&lt;/script&gt;</a>.`,
    );
  });

  test('names a missing account without linking it', () => {
    expect(sentence('owner', 99, null).html).toBe(`${link('alice')} removed <span class="user unknown">unknown user</span> as the assignee of this task.`);
  });
});
