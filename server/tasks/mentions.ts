import crypto from 'node:crypto';
import type { Knex } from 'knex';
import { ValidationError } from '../errors';
import { MAX_MENTIONS, count } from '../limits';
import { referencesIn } from '../markup/render';
import { findUsersByUsernames } from '../users/repository';
import type { Actor } from '../users/roles';
import { canView } from './policy';
import * as repo from './repository';
import type { TaskState } from './task';
import type { CommentRevision } from './events/comment-revision';
import { insertEvents } from './event-repository';

export interface NewMentions {
  /** People newly mentioned who can see the task: they become subscribers in the same submission. */
  userIds: number[];
  /** Tasks newly mentioned that the actor can see: they get a back-link. */
  taskIds: number[];
}

function minus<T>(a: Set<T>, b: Set<T>): T[] {
  return [...a].filter((x) => !b.has(x));
}

/**
 * A text that mentions more than MAX_MENTIONS people or tasks is refused: each
 * mention may subscribe someone or write a line on another task, and that work
 * must stay bounded for any one submission.
 */
function withinCap<T extends { taskIds: Set<number>; usernames: Set<string> }>(refs: T, field: string): T {
  const over = [
    refs.usernames.size > MAX_MENTIONS ? `${count(refs.usernames.size)} people` : null,
    refs.taskIds.size > MAX_MENTIONS ? `${count(refs.taskIds.size)} tasks` : null,
  ].filter(Boolean);
  if (over.length) {
    throw new ValidationError({
      [field]: `This text mentions ${over.join(' and ')}; a text may mention at most ${count(MAX_MENTIONS)} people and ${count(MAX_MENTIONS)} tasks.`,
    });
  }
  return refs;
}

/**
 * What a submission's text newly mentions. Only text that changed counts: a
 * description edit counts the references it adds, a comment all of its own.
 * Titles are plain text and mention nothing.
 */
export async function findNewMentions(
  trx: Knex.Transaction,
  actor: Actor,
  plan: Map<string, unknown>,
  before: TaskState,
  after: TaskState,
  selfId: number | null,
): Promise<NewMentions> {
  const taskIds = new Set<number>();
  const usernames = new Set<string>();
  const add = (ids: number[], names: string[]) => {
    ids.forEach((id) => taskIds.add(id));
    names.forEach((n) => usernames.add(n));
  };
  if (plan.has('description')) {
    const now = withinCap(referencesIn(String(plan.get('description'))), 'description');
    const was = referencesIn(before.description);
    add(minus(now.taskIds, was.taskIds), minus(now.usernames, was.usernames));
  }
  if (plan.has('comment')) {
    const refs = withinCap(referencesIn(String(plan.get('comment'))), 'comment');
    add([...refs.taskIds], [...refs.usernames]);
  }
  // An edited comment counts what its new text adds, as an edited description does.
  const revised = plan.get('comment.edit') as CommentRevision | undefined;
  if (revised?.text) {
    const now = withinCap(referencesIn(revised.text), 'comment');
    const was = referencesIn(revised.previous);
    add(minus(now.taskIds, was.taskIds), minus(now.usernames, was.usernames));
  }
  if (selfId !== null) taskIds.delete(selfId);
  const users = await findUsersByUsernames(trx, usernames);
  const tasks = await repo.findTasksByIds(trx, taskIds);
  return {
    userIds: users.filter((u) => !u.disabledAt && canView(u, { view: after.view, ownerId: after.ownerId })).map((u) => u.id),
    taskIds: tasks.filter((t) => canView(actor, t)).map((t) => t.id),
  };
}

/**
 * Records the mention edges in both directions and, on each task mentioned
 * for the first time by this one, the line "alice mentioned this in T456".
 */
export async function writeBackLinks(
  trx: Knex.Transaction,
  actor: Actor,
  srcId: number,
  taskIds: number[],
  meta: { source: string; at: Date },
): Promise<void> {
  const fresh = await repo.addMentionEdges(trx, srcId, taskIds);
  for (const dst of fresh) {
    await insertEvents(
      trx,
      { taskId: dst, groupId: crypto.randomUUID(), actorId: actor.id, source: meta.source, at: meta.at },
      [{ type: 'mentioned', old: null, new: srcId }],
    );
  }
}
