import { boardNamesFor } from '../projects/task-boards';
import type { Knex } from 'knex';
import type { Config } from '../config';
import { namedIn, parseMarkup } from '../markup/render';
import { canView } from '../tasks/policy';
import { loadReferences, referencesFor } from '../tasks/references';
import type { Tracker } from '../tasks/task';
import { timelineTaskIds, timelineUserIds } from '../tasks/timeline';
import { newsworthy } from './notify';
import { replyAddress } from './reply-address';
import { findMailSubject } from './render-repository';
import { closeMessage, lockMessage, lockUnrenderedCopies, storeRendering, type MailMessage } from './repository';
import type { Renderer } from './send-job';
import { composeTaskMail } from './task-compose';

/**
 * Renders a task mail that the editor decided on, for its recipient, as they
 * may see the task now; with it, the other copies of the same edit's mail, so
 * the task, its events and what they name are read once for every recipient.
 * Under the messages' row locks: a digest that is being rendered takes no
 * more events, and those that arrive go into a new one.
 */
export function taskMailRenderer(tracker: Tracker, config: Readonly<Config>, secret: string): Renderer {
  return (db: Knex, queued) =>
    db.transaction(async (trx): Promise<MailMessage | null> => {
      const m = await lockMessage(trx, queued.id);
      if (!m || m.rendered) return m;
      const copies = [m, ...(await lockUnrenderedCopies(trx, m))];
      const recipientIds = copies.flatMap((c) => (c.userId === null ? [] : [c.userId]));
      const subject = m.taskId === null ? null : await findMailSubject(trx, m.taskId, m.eventGroups ?? [], recipientIds);
      if (!subject) {
        for (const c of copies) await closeMessage(trx, c.id, 'void', 'The task no longer exists.');
        return null;
      }
      const { task, subscriberIds, recipients } = subject;
      const events = newsworthy(subject.events);
      const docs = events.filter((e) => e.type === 'comment').map((e) => parseMarkup(String(e.new ?? ''), e.markup));
      if (events.some((e) => e.type === 'create')) docs.push(parseMarkup(task.description, task.markup));
      const { taskIds, usernames, hashtags } = namedIn(docs);
      for (const id of timelineTaskIds(events)) taskIds.add(id);
      const toIds = [...new Set([task.ownerId, ...events.map((e) => e.actorId)].filter((id): id is number => id !== null))];
      const userIds = [...timelineUserIds(events), task.authorId, ...subscriberIds, ...toIds];
      const loaded = events.length ? await loadReferences(trx, { taskIds, usernames, userIds, hashtags }) : null;
      const boards = events.length ? await boardNamesFor(trx, events) : undefined;

      let first: MailMessage | null = null;
      for (const c of copies) {
        const recipient = c.userId === null ? undefined : recipients.get(c.userId);
        const voided = (reason: string) => closeMessage(trx, c.id, 'void', reason);
        if (!recipient || recipient.disabledAt) await voided("The recipient's account is disabled.");
        else if (!canView(recipient, task)) await voided('The recipient can no longer see this task.');
        else if (!events.length || !loaded) await voided('Nothing to report.');
        else {
          const refs = referencesFor(recipient, tracker, loaded);
          const mail = composeTaskMail({ task, recipient, events, refs, boards, subscriberIds, toIds, baseUrl: config.baseUrl, from: config.mail.from, tracker });
          // Every line of this edit names something the recipient may not see (a restricted subtask): nothing to tell them.
          if (!mail) await voided('Nothing in it is visible to the recipient.');
          else {
            const replyTo = config.mail.replyDomain ? replyAddress(secret, config.mail.replyDomain, { taskId: task.id, userId: recipient.id }) : null;
            const stored = await storeRendering(trx, c.id, { ...mail, replyTo });
            if (c.id === m.id) first = stored;
          }
        }
      }
      return first;
    });
}
