import { say } from './sentence';
import type { EventType } from './types';

/** Marks the group that created the task; it changes no field itself. */
export const create: EventType<boolean> = {
  type: 'create',
  strength: 1000,
  field: 'form',
  internal: true,
  parse: () => true,
  current: () => false,
  apply: (s) => s,
  capability: () => 'task.create',
  isNoop: () => false,
  userIds: () => [],
  hiddenOnCreate: () => false,
  action: () => 'Created',
  describe: (_e, { actor }) => say`${actor} created this task.`,
};
