import { normaliseText } from './description';
import { say } from './sentence';
import type { EventType } from './types';

export const comment: EventType<string> = {
  type: 'comment',
  strength: 50,
  field: 'comment',
  parse: (raw) => normaliseText(raw, 'comment'),
  current: () => '',
  apply: (s) => s,
  capability: () => 'task.comment',
  isNoop: (_from, to) => to.trim() === '',
  userIds: () => [],
  hiddenOnCreate: () => false,
  describe: (_e, { actor }) => say`${actor} added a comment.`,
};
