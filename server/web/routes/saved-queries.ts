import type { Request, Response } from 'express';
import { deleteSavedQuery, listSavedQueries, moveSavedQuery, renameSavedQuery } from '../../search/saved/queries';
import type { User } from '../../users/user';
import type { AppDeps } from '../deps';
import { MoveQueryForm, RenameQueryForm, parseForm } from '../forms';
import { formProblem, requireViewer } from '../guards';
import { renderPage } from '../render';
import { manageQueriesModel, queryNavModel, type RenameState } from '../views/saved-queries';

const MANAGE = '/maniphest/query/edit/';

/** The "Manage Queries" page: rename, reorder and delete one's saved queries. */
export function savedQueryRoutes(deps: AppDeps) {
  async function renderManage(req: Request, res: Response, viewer: User, rename?: RenameState, status = 200) {
    const saved = await listSavedQueries(deps.db, viewer);
    renderPage(req, res, 'pages/tasks/saved-queries', 'Manage Queries', { nav: queryNavModel(viewer, saved, null), ...manageQueriesModel(saved, rename) }, status);
  }

  const keyOf = (req: Request) => String(req.params.key ?? '');

  return {
    async manage(req: Request, res: Response) {
      if (!req.viewer) return res.redirect(303, `/login?next=${encodeURIComponent(MANAGE)}`);
      await renderManage(req, res, req.viewer);
    },

    async rename(req: Request, res: Response) {
      const viewer = requireViewer(req);
      const body = (req.body ?? {}) as Record<string, unknown>;
      try {
        const form = parseForm(RenameQueryForm, body);
        await renameSavedQuery(deps.db, viewer, keyOf(req), form.name);
        res.redirect(303, MANAGE);
      } catch (err) {
        const problem = formProblem(err);
        if (!problem) throw err;
        const name = typeof body.name === 'string' ? body.name : '';
        await renderManage(req, res, viewer, { key: keyOf(req), name, error: Object.values(problem.errors).join(' ') }, problem.status);
      }
    },

    async move(req: Request, res: Response) {
      const viewer = requireViewer(req);
      const { direction } = parseForm(MoveQueryForm, req.body);
      await moveSavedQuery(deps.db, viewer, keyOf(req), direction);
      res.redirect(303, MANAGE);
    },

    async remove(req: Request, res: Response) {
      const viewer = requireViewer(req);
      await deleteSavedQuery(deps.db, viewer, keyOf(req));
      res.redirect(303, MANAGE);
    },
  };
}
