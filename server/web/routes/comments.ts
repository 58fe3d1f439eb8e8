import type { Request, Response } from 'express';
import { AppError, NotFoundError } from '../../errors';
import { loadCommentHistory, viewComment } from '../../tasks/comments';
import { applyEdit } from '../../tasks/editor';
import { canDo } from '../../tasks/policy';
import { renderForViewer } from '../../tasks/references';
import { parseTaskId } from '../../tasks/task';
import type { User } from '../../users/user';
import { domainOf, type AppDeps } from '../deps';
import { CommentEditForm, parseForm } from '../forms';
import { formProblem, requireViewer, taskIdParam } from '../guards';
import { renderPage } from '../render';
import { formatDateTime } from '../views/dates';
import { userLink } from '../views/people';

function commentIdParam(req: Request): number {
  const id = parseTaskId(String(req.params.eventId ?? ''));
  if (id === null) throw new NotFoundError();
  return id;
}

/**
 * Editing, removing and reading the history of a comment: /T123/comment/456/…
 * Edits and removals go through the editor like any change to the task.
 */
export function commentRoutes(deps: AppDeps) {
  const domain = domainOf(deps);

  /** The comment a person may revise, or why not: missing or hidden is 404, someone else's is 403. */
  async function revisable(req: Request) {
    const viewer = requireViewer(req);
    const taskId = taskIdParam(req);
    const { task, comment } = await viewComment(deps.db, viewer, taskId, commentIdParam(req));
    if (comment.removed) throw new AppError(409, 'comment-removed', 'This comment was removed; it can not be changed any more.');
    if (!canDo(viewer, task, comment.authorId === viewer.id ? 'task.comment' : 'comment.moderate')) {
      throw new AppError(403, 'forbidden', 'You may only edit or remove your own comments.');
    }
    return { viewer, task, comment, base: `/T${task.id}/comment/${comment.id}` };
  }

  function page(req: Request, res: Response, view: string, title: string, model: object, status = 200) {
    renderPage(req, res, `pages/tasks/${view}`, title, model, status);
  }

  async function revise(res: Response, viewer: User, taskId: number, value: object, onRefusal: (errors: Record<string, string>, status: number) => void) {
    try {
      await applyEdit(domain, viewer, taskId, [{ type: value && 'text' in value ? 'comment.edit' : 'comment.remove', value }], { source: 'web' });
    } catch (err) {
      const problem = formProblem(err);
      if (!problem) throw err;
      return onRefusal(problem.errors, problem.status);
    }
    res.redirect(303, `/T${taskId}#${(value as { comment: number }).comment}`);
  }

  return {
    async editForm(req: Request, res: Response) {
      const { task, comment, base } = await revisable(req);
      page(req, res, 'comment-edit', `Edit Comment: T${task.id}`, { task: { monogram: `T${task.id}`, url: `/T${task.id}`, title: task.title }, action: `${base}/edit`, comment: comment.text, errors: {} });
    },

    async edit(req: Request, res: Response) {
      const { viewer, task, comment, base } = await revisable(req);
      const form = parseForm(CommentEditForm, req.body);
      await revise(res, viewer, task.id, { comment: comment.id, text: form.comment ?? '' }, (errors, status) =>
        page(req, res, 'comment-edit', `Edit Comment: T${task.id}`, { task: { monogram: `T${task.id}`, url: `/T${task.id}`, title: task.title }, action: `${base}/edit`, comment: form.comment ?? '', errors }, status),
      );
    },

    async removeForm(req: Request, res: Response) {
      const { task, comment, base } = await revisable(req);
      const html = await renderForViewer(deps.db, req.viewer, deps.tracker, comment.text);
      page(req, res, 'comment-remove', `Remove Comment: T${task.id}`, { task: { monogram: `T${task.id}`, url: `/T${task.id}`, title: task.title }, action: `${base}/remove`, commentHtml: html, errors: {} });
    },

    async remove(req: Request, res: Response) {
      const { viewer, task, comment } = await revisable(req);
      await revise(res, viewer, task.id, { comment: comment.id }, (errors, status) => {
        throw new AppError(status, 'refused', Object.values(errors).join(' '));
      });
    },

    async history(req: Request, res: Response) {
      const h = await loadCommentHistory(deps.db, req.viewer, taskIdParam(req), commentIdParam(req));
      const now = new Date();
      const versions = await Promise.all(
        h.versions.map(async (v) => ({
          version: v.version,
          writer: v.writtenBy ? userLink(v.writtenBy) : null,
          time: formatDateTime(v.at, now, deps.config.timezone),
          timeIso: v.at.toISOString(),
          textHtml: await renderForViewer(deps.db, req.viewer, deps.tracker, v.text),
        })),
      );
      page(req, res, 'comment-history', `Comment History: T${h.task.id}`, {
        task: { monogram: `T${h.task.id}`, url: `/T${h.task.id}`, title: h.task.title },
        commentUrl: `/T${h.task.id}#${h.comment.id}`,
        author: h.comment.author ? userLink(h.comment.author) : null,
        versions: versions.reverse(),
        removedBy: h.removedBy ? userLink(h.removedBy) : null,
      });
    },
  };
}
