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
  refusal: 'You do not have permission to comment on this task.',
  isNoop: (_from, to) => to.trim() === '',
  userIds: () => [],
  hiddenOnCreate: () => false,
  action: () => 'Commented On',
  describe: (_e, { actor }) => say`${actor} added a comment.`,
};
