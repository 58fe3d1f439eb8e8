import { VIEW_POLICIES, type ViewPolicy } from '../../tracker-config';
import { VIEW_NAMES } from '../task';
import { say } from './sentence';
import { FieldProblem, type EventType } from './types';
import { asString } from './values';

export const view: EventType<ViewPolicy> = {
  type: 'view',
  strength: 100,
  field: 'view',
  parse(raw) {
    const key = asString(raw)?.trim() ?? '';
    if (!(VIEW_POLICIES as readonly string[]).includes(key)) {
      throw new FieldProblem('view', `"${key}" is not a visibility. Choose one of: ${VIEW_POLICIES.join(', ')}.`);
    }
    return key as ViewPolicy;
  },
  current: (s) => s.view,
  apply: (s, view) => ({ ...s, view }),
  capability: () => 'task.visibility',
  refusal: 'You do not have permission to change the visibility of this task.',
  isNoop: (a, b) => a === b,
  userIds: () => [],
  // Stored on creation only when it differs from the default, so it is a choice worth a line.
  hiddenOnCreate: () => false,
  // Set with the task, it was never anything else: the line has no old value to name.
  beside: (e, group) => (group.some((x) => x.type === 'create') ? { ...e, old: null } : e),
  action: () => 'Changed Visibility',
  describe(e, { actor }) {
    if (e.old === null) return say`${actor} set the visibility to "${VIEW_NAMES[e.new as ViewPolicy] ?? String(e.new)}".`;
    const from = VIEW_NAMES[e.old as ViewPolicy] ?? String(e.old);
    const to = VIEW_NAMES[e.new as ViewPolicy] ?? String(e.new);
    return say`${actor} changed the visibility from "${from}" to "${to}".`;
  },
};
