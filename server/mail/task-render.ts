import { boardNamesFor } from '../projects/task-boards';
import type { Knex } from 'knex';
import type { Config } from '../config';
import { namedIn, parseMarkup } from '../markup/render';
import { canView } from '../tasks/policy';
import { resolveReferences } from '../tasks/references';
import * as repo from '../tasks/repository';
import type { Tracker } from '../tasks/task';
import { timelineTaskIds, timelineUserIds } from '../tasks/timeline';
import { findUserById } from '../users/repository';
import { newsworthy } from './notify';
import { replyAddress } from './reply-address';
import { closeMessage, lockMessage, storeRendering } from './repository';
import type { Renderer } from './send-job';
import { composeTaskMail } from './task-compose';

/**
 * Renders a task mail that the editor decided on, for its recipient, as they
 * may see the task now. Under the message's row lock: a digest that is being
 * rendered takes no more events, and those that arrive go into a new one.
 */
export function taskMailRenderer(tracker: Tracker, config: Readonly<Config>, secret: string): Renderer {
  return (db: Knex, queued) =>
    db.transaction(async (trx) => {
      const m = await lockMessage(trx, queued.id);
      if (!m || m.rendered) return;
      const task = m.taskId === null ? null : await repo.findTask(trx, m.taskId);
      const recipient = m.userId === null ? null : await findUserById(trx, m.userId);
      if (!task) return closeMessage(trx, m.id, 'void', 'The task no longer exists.');
      if (!recipient || recipient.disabledAt) return closeMessage(trx, m.id, 'void', "The recipient's account is disabled.");
      if (!canView(recipient, task)) return closeMessage(trx, m.id, 'void', 'The recipient can no longer see this task.');
      const [events, subscriberIds] = await Promise.all([
        repo.listEventsInGroups(trx, task.id, m.eventGroups ?? []).then(newsworthy),
        repo.findSubscriberIds(trx, task.id),
      ]);
      if (!events.length) return closeMessage(trx, m.id, 'void', 'Nothing to report.');
      const docs = events.filter((e) => e.type === 'comment').map((e) => parseMarkup(String(e.new ?? ''), e.markup));
      if (events.some((e) => e.type === 'create')) docs.push(parseMarkup(task.description, task.markup));
      const { taskIds, usernames, hashtags } = namedIn(docs);
      for (const id of timelineTaskIds(events)) taskIds.add(id);
      const toIds = [...new Set([task.ownerId, ...events.map((e) => e.actorId)].filter((id): id is number => id !== null))];
      const userIds = [...timelineUserIds(events), task.authorId, ...subscriberIds, ...toIds];
      const [refs, boards] = await Promise.all([resolveReferences(trx, recipient, tracker, { taskIds, usernames, userIds, hashtags }), boardNamesFor(trx, events)]);
      const mail = composeTaskMail({ task, recipient, events, refs, boards, subscriberIds, toIds, baseUrl: config.baseUrl, from: config.mail.from, tracker });
      const replyTo = config.mail.replyDomain ? replyAddress(secret, config.mail.replyDomain, { taskId: task.id, userId: recipient.id }) : null;
      await storeRendering(trx, m.id, { ...mail, replyTo });
    });
}
