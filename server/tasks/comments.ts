import type { Knex } from 'knex';
import { NotFoundError } from '../errors';
import { findUsersByIds } from '../users/repository';
import type { Actor } from '../users/roles';
import type { User } from '../users/user';
import { revisionOf } from './events/comment-revision';
import { viewTask } from './read';
import type { Task } from './task';
import { findComment, findEvent, listCommentRevisions } from './event-repository';

export interface CommentVersion {
  version: number;
  text: string;
  /** Who wrote this version: the author, or whoever edited it in. */
  writtenBy: User | null;
  at: Date;
}

export interface CommentHistory {
  task: Task;
  comment: { id: number; author: User | null; text: string };
  /** Oldest first; empty once the comment is removed: removing it takes its words out of view. */
  versions: CommentVersion[];
  removedBy: User | null;
}

/** A comment the viewer may see (on a task they may see), or NotFound exactly like a missing one. */
export async function viewComment(db: Knex, viewer: Actor | null, taskId: number, eventId: number) {
  const task = await viewTask(db, viewer, taskId);
  const comment = await findComment(db, taskId, eventId);
  if (!comment) throw new NotFoundError();
  return { task, comment };
}

/**
 * Every version of a comment, for whoever may see its task: the first text
 * (kept by the first edit, which replaced it), then each edit's.
 */
export async function loadCommentHistory(db: Knex, viewer: Actor | null, taskId: number, eventId: number): Promise<CommentHistory> {
  const { task, comment } = await viewComment(db, viewer, taskId, eventId);
  const [posted, revisions] = await Promise.all([findEvent(db, taskId, eventId), listCommentRevisions(db, taskId, eventId)]);
  const users = await findUsersByIds(db, [comment.authorId, ...revisions.map((e) => e.actorId)]);
  const removal = revisions.find((e) => revisionOf(e)?.text === null);
  const versions: CommentVersion[] = [];
  if (!removal) {
    const edits = revisions.flatMap((e) => {
      const r = revisionOf(e);
      return r && r.text !== null ? [{ r, e }] : [];
    });
    versions.push({ version: 1, text: edits[0]?.r.previous ?? comment.text, writtenBy: users.get(comment.authorId) ?? null, at: posted!.createdAt });
    edits.forEach(({ r, e }, i) => versions.push({ version: i + 2, text: r.text!, writtenBy: users.get(e.actorId) ?? null, at: e.createdAt }));
  }
  return {
    task,
    comment: { id: comment.id, author: users.get(comment.authorId) ?? null, text: comment.text },
    versions,
    removedBy: removal ? (users.get(removal.actorId) ?? null) : null,
  };
}
