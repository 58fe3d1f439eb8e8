import { DEFAULT_STATUSES } from '../../server/tracker-config';
import { buildWorkflow, bulkStatusChoices, enforceWorkflow, NO_WORKFLOW, rolesFor, statusChoices, type WorkflowConfig } from '../../server/tasks/workflow';
import type { Actor, Role } from '../../server/users/roles';

const who = (role: Role): Actor => ({ id: 1, username: role, role });
const pickable = DEFAULT_STATUSES.filter((s) => !s.reserved);
const keys = (xs: { key: string }[]) => xs.map((s) => s.key);
const name = (key: string) => key[0]!.toUpperCase() + key.slice(1);

const rules: WorkflowConfig = buildWorkflow({
  transitions: [
    { from: ['open'], to: ['resolved'], roles: ['maintainer'] },
    { to: ['invalid'], roles: ['engineer'] },
  ],
  comments: { wontfix: 'Say why.' },
  locked: ['wontfix'],
});

describe('workflow rules', () => {
  test('without transitions, the roles that close tasks make every move', () => {
    expect(rolesFor(NO_WORKFLOW, 'open', 'resolved')).toEqual(['maintainer', 'admin']);
    expect(keys(statusChoices(NO_WORKFLOW, pickable, who('engineer'), 'open'))).toEqual(['open']);
  });

  test('a rule without `from` or `to` matches any status; admins may make every move', () => {
    expect(rolesFor(rules, 'resolved', 'invalid')).toEqual(['engineer', 'admin']);
    expect(rolesFor(rules, 'resolved', 'open')).toEqual(['admin']);
    expect(keys(statusChoices(rules, pickable, who('engineer'), 'open'))).toEqual(['open', 'invalid']);
    expect(keys(statusChoices(rules, pickable, who('maintainer'), 'open'))).toEqual(['open', 'resolved']);
    expect(keys(statusChoices(rules, pickable, who('admin'), 'wontfix'))).toEqual(keys(pickable));
  });

  test('bulk edit offers what can be reached from some status and needs no comment', () => {
    expect(keys(bulkStatusChoices(rules, pickable, who('maintainer')))).toEqual(['resolved']);
    expect(keys(bulkStatusChoices(rules, pickable, who('admin')))).toEqual(['open', 'resolved', 'invalid']);
  });

  test('every refusal of one edit is reported at once', () => {
    const edit = { from: 'wontfix', to: 'resolved', comment: '', changes: true, inverse: false };
    expect(() => enforceWorkflow(rules, name, who('engineer'), edit)).toThrow(
      expect.objectContaining({
        status: 403,
        fields: {
          form: 'This task is locked: only maintainers can edit or comment on it until it is reopened.',
          status: 'Only Administrator may move a task from Wontfix to Resolved (see /config/workflow/).',
        },
      }),
    );
    expect(() => enforceWorkflow(rules, name, who('engineer'), { ...edit, from: 'open', to: 'wontfix' })).toThrow(
      expect.objectContaining({ status: 403, fields: { status: 'Only Administrator may move a task from Open to Wontfix (see /config/workflow/).', comment: 'Say why.' } }),
    );
    // Edits made on behalf of another task (its link, its merge) pass a lock.
    expect(() => enforceWorkflow(rules, name, who('engineer'), { ...edit, to: 'wontfix', inverse: true })).not.toThrow();
    expect(() => enforceWorkflow(rules, name, who('maintainer'), { ...edit, to: 'wontfix', comment: 'More.' })).not.toThrow();
  });
});
