import { say } from './sentence';
import type { EventType } from './types';

/**
 * Written on a task when another task's text first mentions it; the value is
 * the mentioning task's id. Never requested directly: the editor writes it.
 */
export const mentioned: EventType<number | null> = {
  type: 'mentioned',
  strength: 100,
  field: 'form',
  internal: true,
  parse: () => null,
  current: () => null,
  apply: (s) => s,
  capability: () => 'task.comment',
  isNoop: () => true,
  userIds: () => [],
  taskIds: (e) => (typeof e.new === 'number' ? [e.new] : []),
  hiddenOnCreate: () => false,
  action: () => 'Mentioned',
  describe(e, { actor, task }) {
    const source = typeof e.new === 'number' ? task(e.new) : undefined;
    return source ? say`${actor} mentioned this in ${source}.` : null;
  },
};
