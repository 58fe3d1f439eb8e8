import { buildTrackerConfig } from '../../server/tracker-config';
import { CursorError, decodeCursor, encodeCursor, groupKey, sortKeys } from '../../server/search/keyset';
import { parseSearchText, taskJump } from '../../server/search/text';
import { Tracker } from '../../server/tasks/task';

const tracker = new Tracker(buildTrackerConfig({}));

describe('search box text', () => {
  test.each([
    ['login crash', { web: 'login crash', titleWords: [] }],
    ['  "slow login"  -mobile ', { web: '"slow login"  -mobile', titleWords: [] }],
    ['title:crash', { web: '', titleWords: ['crash'] }],
    ['TITLE:Crash save', { web: 'save', titleWords: ['crash'] }],
    ['login title:crash title:Save', { web: 'login', titleWords: ['crash', 'save'] }],
    ['title:"dark mode" theme', { web: 'theme', titleWords: ['dark', 'mode'] }],
    // Only letters and digits reach to_tsquery, so its operators can never be injected.
    ["title:a&b|!c:*(d)'e", { web: '', titleWords: ['a', 'b', 'c', 'd', 'e'] }],
    ['title:ünïcödé title:v2', { web: '', titleWords: ['ünïcödé', 'v2'] }],
    ['title:&|!', { web: '', titleWords: [] }],
    // "title:" glued to a word is not a scope.
    ['subtitle:crash', { web: 'subtitle:crash', titleWords: [] }],
    ['', { web: '', titleWords: [] }],
  ])('%j', (text, expected) => {
    expect(parseSearchText(text)).toEqual(expected);
  });
});

describe('jumping to a task from the search box', () => {
  test.each([
    ['T123', 123],
    ['t7', 7],
    ['  T42  ', 42],
    ['T2147483647', 2147483647],
  ])('%j goes to the task', (text, id) => {
    expect(taskJump(text)).toBe(id);
  });

  test.each(['T0', 'T012', 'T2147483648', 'T99999999999', 'T', '123', 'T12 crash', 'see T12', 'T1.5', 'T-3'])('%j is a search, not a jump', (text) => {
    expect(taskJump(text)).toBeNull();
  });
});

describe('order keys', () => {
  const exprs = (order: Parameters<typeof sortKeys>[0], group: Parameters<typeof sortKeys>[1]) =>
    sortKeys(order, group, tracker).map((k) => `${k.expr} ${k.dir}`);

  test('every order ends in the task id, so no two rows tie', () => {
    for (const order of ['priority', 'updated', 'outdated', 'newest', 'oldest', 'closed', 'title', 'relevance'] as const) {
      const keys = sortKeys(order, 'none', tracker);
      expect(keys[keys.length - 1]!.expr).toBe('tasks.id');
    }
  });

  test('a grouping puts its key first, once', () => {
    expect(exprs('priority', 'priority')).toEqual(['tasks.priority desc', 'tasks.updated_at desc', 'tasks.id desc']);
    expect(exprs('title', 'priority')).toEqual(['tasks.priority desc', 'tasks.title asc', 'tasks.id asc']);
    expect(exprs('newest', 'none')).toEqual(['tasks.id desc']);
    expect(exprs('oldest', 'owner')).toEqual([`${groupKey('owner', tracker)!.expr} asc`, 'tasks.id asc']);
    expect(exprs('updated', 'status')[0]).toBe(
      "coalesce(array_position(ARRAY['open','resolved','wontfix','invalid','duplicate']::text[], tasks.status::text), 1000) asc",
    );
    expect(groupKey('none', tracker)).toBeNull();
  });
});

describe('page cursors', () => {
  const keys = sortKeys('title', 'owner', tracker); // text, text, int
  const raw = (values: unknown) => Buffer.from(JSON.stringify(values)).toString('base64url');
  const malformed = 'That page link is malformed. Start again from the first page.';
  const decode = (cursor: string, order: Parameters<typeof sortKeys>[0] = 'title', group: Parameters<typeof sortKeys>[1] = 'owner') =>
    decodeCursor(cursor, order, group, sortKeys(order, group, tracker));

  test('round-trip the row values of their order and grouping', () => {
    const cursor = encodeCursor('title', 'owner', ['alice', 'Crash on "save"', 17]);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(cursor, 'title', 'owner', keys)).toEqual(['alice', 'Crash on "save"', 17]);
    const relevance = encodeCursor('relevance', 'none', [0.30000001192092896, 4]);
    expect(decode(relevance, 'relevance', 'none')).toEqual([0.30000001192092896, 4]);
    // Timestamps are microseconds since the epoch, past int4.
    const updated = encodeCursor('updated', 'none', [1767225600123456, 9]);
    expect(decode(updated, 'updated', 'none')).toEqual([1767225600123456, 9]);
  });

  test('are refused in another order or grouping', () => {
    const cursor = encodeCursor('title', 'owner', ['', 'x', 1]);
    for (const [order, group] of [
      ['oldest', 'owner'],
      ['title', 'status'],
    ] as const) {
      expect(() => decode(cursor, order, group)).toThrow(new CursorError('That page link belongs to another order or grouping. Start again from the first page.'));
    }
  });

  test.each([
    ['not base64 JSON', 'abc'],
    ['empty', ''],
    ['an object', raw({ order: 'title' })],
    ['too few values', raw(['title', 'owner', 'x', 1])],
    ['too many values', raw(['title', 'owner', '', 'x', 1, 2])],
    ['a number for a text key', raw(['title', 'owner', 5, 'x', 1])],
    ['null for a text key', raw(['title', 'owner', null, 'x', 1])],
    ['text over 1000 characters', raw(['title', 'owner', '', 'x'.repeat(1001), 1])],
    ['a NUL character, which PostgreSQL text cannot hold', raw(['title', 'owner', '', 'a\u0000b', 1])],
    ['text for an id', raw(['title', 'owner', '', 'x', '1'])],
    ['a fraction for an id', raw(['title', 'owner', '', 'x', 1.5])],
    ['an id past int4', raw(['title', 'owner', '', 'x', 2147483648])],
  ])('are refused when malformed: %s', (_name, cursor) => {
    expect(() => decode(cursor)).toThrow(new CursorError(malformed));
  });

  test('check timestamps and ranks by kind', () => {
    expect(() => decode(raw(['updated', 'none', 2 ** 53, 1]), 'updated', 'none')).toThrow(malformed);
    expect(() => decode(raw(['updated', 'none', 1.5, 1]), 'updated', 'none')).toThrow(malformed);
    expect(() => decode(raw(['relevance', 'none', '0.5', 1]), 'relevance', 'none')).toThrow(malformed);
    expect(decode(raw(['updated', 'none', -5, 1]), 'updated', 'none')).toEqual([-5, 1]);
  });
});
