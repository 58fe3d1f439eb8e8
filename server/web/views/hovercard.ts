import type { Hovercard } from '../../tasks/read';
import type { Tracker } from '../../tasks/task';
import { userLink } from './people';
import { pointsTag } from './points';
import { taskState } from './task-page';

export function hovercardModel(card: Hovercard, tracker: Tracker) {
  const { task } = card;
  return {
    monogram: `T${task.id}`,
    url: `/T${task.id}`,
    title: task.title,
    ...taskState(task, tracker),
    owner: card.owner ? userLink(card.owner) : null,
    points: pointsTag(tracker, task.points),
  };
}
