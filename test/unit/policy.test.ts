import type { ViewPolicy } from '../../server/tracker-config';
import { canDo, canView, visiblePolicies } from '../../server/tasks/policy';
import { parseTaskId } from '../../server/tasks/task';
import { can, CAPABILITIES, isMaintainer, isRole, ROLES, type Actor, type Capability, type Role } from '../../server/users/roles';

const actor = (role: Role, id = 10): Actor => ({ id, username: role, role });

describe('the capability map', () => {
  const ENGINEER: Capability[] = ['task.create', 'task.edit', 'task.triage', 'task.claim', 'task.comment', 'task.subscribe'];
  const expected: Record<Role, Capability[]> = {
    reader: [],
    engineer: [...ENGINEER, 'project.create'],
    maintainer: [...ENGINEER, 'task.close', 'task.visibility', 'task.bulk', 'comment.moderate', 'project.create'],
    admin: [...CAPABILITIES],
  };

  test.each(ROLES.map((role) => [role, expected[role]] as const))('%s may do exactly %j', (role, allowed) => {
    const granted = CAPABILITIES.filter((c) => can(actor(role), c));
    expect(granted).toEqual(allowed);
  });

  test('only admins manage accounts', () => {
    expect(ROLES.filter((role) => can(actor(role), 'users.manage'))).toEqual(['admin']);
  });

  test('only maintainers and admins close and reopen', () => {
    expect(ROLES.filter((role) => can(actor(role), 'task.close'))).toEqual(['maintainer', 'admin']);
  });

  test('a visitor may do nothing', () => {
    expect(CAPABILITIES.filter((c) => can(null, c))).toEqual([]);
  });

  test('isMaintainer and isRole', () => {
    expect(ROLES.filter((role) => isMaintainer(actor(role)))).toEqual(['maintainer', 'admin']);
    expect(isMaintainer(null)).toBe(false);
    expect(ROLES.every(isRole)).toBe(true);
    for (const other of ['', 'Admin', 'owner', 'visitor', 'constructor', 'toString']) expect(isRole(other)).toBe(false);
  });
});

describe('who sees a task', () => {
  const viewers: [string, Actor | null][] = [
    ['a visitor', null],
    ['a reader', actor('reader')],
    ['an engineer', actor('engineer')],
    ['a maintainer', actor('maintainer')],
    ['an admin', actor('admin')],
  ];
  const sees: Record<string, ViewPolicy[]> = {
    'a visitor': ['public'],
    'a reader': ['public', 'users'],
    'an engineer': ['public', 'users'],
    'a maintainer': ['public', 'users', 'maintainers'],
    'an admin': ['public', 'users', 'maintainers'],
  };

  test.each(viewers)('%s sees the right visibility levels', (name, viewer) => {
    expect(visiblePolicies(viewer)).toEqual(sees[name]);
    for (const view of ['public', 'users', 'maintainers'] as const) {
      expect(canView(viewer, { view, ownerId: null })).toBe(sees[name]!.includes(view));
      // Someone else owning the task changes nothing for the viewer.
      expect(canView(viewer, { view, ownerId: 999 })).toBe(sees[name]!.includes(view));
    }
  });

  test('the owner always sees the task they hold', () => {
    const engineer = actor('engineer', 5);
    const reader = actor('reader', 6);
    expect(canView(engineer, { view: 'maintainers', ownerId: 5 })).toBe(true);
    expect(canView(reader, { view: 'maintainers', ownerId: 6 })).toBe(true);
    expect(canView(engineer, { view: 'maintainers', ownerId: 6 })).toBe(false);
  });

  test('a visitor never matches an unowned task', () => {
    expect(canView(null, { view: 'users', ownerId: null })).toBe(false);
    expect(canView(null, { view: 'maintainers', ownerId: null })).toBe(false);
  });
});

describe('acting on a task', () => {
  test('needs both sight of the task and the capability', () => {
    const engineer = actor('engineer', 5);
    expect(canDo(engineer, { view: 'users', ownerId: null }, 'task.comment')).toBe(true);
    expect(canDo(engineer, { view: 'users', ownerId: null }, 'task.close')).toBe(false);
    expect(canDo(engineer, { view: 'maintainers', ownerId: null }, 'task.comment')).toBe(false);
    expect(canDo(engineer, { view: 'maintainers', ownerId: 5 }, 'task.comment')).toBe(true);
    expect(canDo(actor('reader'), { view: 'public', ownerId: null }, 'task.comment')).toBe(false);
    expect(canDo(null, { view: 'public', ownerId: null }, 'task.comment')).toBe(false);
    expect(canDo(actor('maintainer'), { view: 'maintainers', ownerId: null }, 'task.close')).toBe(true);
  });
});

describe('parseTaskId', () => {
  test.each(['1', '7', '123', '2147483647'])('accepts %s', (raw) => {
    expect(parseTaskId(raw)).toBe(Number(raw));
  });

  test.each([
    '0',
    '00',
    '01',
    '007',
    'abc',
    '12abc',
    '',
    ' 1',
    '1 ',
    '-1',
    '+1',
    '1.0',
    '1e3',
    '0x1F',
    'T1',
    '１',
    '2147483648',
    '9999999999',
    '99999999999999999999',
  ])('refuses %j', (raw) => {
    expect(parseTaskId(raw)).toBeNull();
  });
});
