import type { Request, Response } from 'express';
import { parseRowId } from '../../db/ids';
import { NotFoundError } from '../../errors';
import { findBulkEdit, listTargets } from '../../tasks/bulk-repository';
import type { AppDeps } from '../deps';
import { requireViewer } from '../guards';
import { renderPage } from '../render';
import { bulkEditModel } from '../views/bulk-edit';

export function bulkEditRoutes(deps: AppDeps) {
  return {
    /** A bulk edit's progress, then its report; only the person who started it sees it. */
    async show(req: Request, res: Response) {
      const viewer = requireViewer(req);
      const id = parseRowId(String(req.params.id));
      const job = id === null ? null : await findBulkEdit(deps.db, id);
      if (!job || job.actorId !== viewer.id) throw new NotFoundError('There is no such bulk edit.');
      renderPage(req, res, 'pages/tasks/bulk-result', 'Bulk Edit', bulkEditModel(job, await listTargets(deps.db, job.id)));
    },
  };
}
