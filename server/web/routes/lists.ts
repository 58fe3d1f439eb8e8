import type { Request, Response } from 'express';
import { AppError } from '../../errors';
import { listOpenTasks } from '../../tasks/read';
import { can } from '../../users/roles';
import type { AppDeps } from '../deps';
import { renderPage } from '../render';
import { decodeCursor, taskListModel } from '../views/task-list';

export function listRoutes(deps: AppDeps) {
  return {
    async open(req: Request, res: Response) {
      const after = decodeCursor(req.query.after);
      const before = decodeCursor(req.query.before);
      if (after === null || before === null || (after && before)) {
        throw new AppError(400, 'bad-cursor', 'That page link is malformed. Start again from the first page.');
      }
      const page = await listOpenTasks(deps.db, deps.tracker, req.viewer, { after, before });
      renderPage(req, res, 'pages/tasks/list', 'Open Tasks', {
        heading: 'Open Tasks',
        ...taskListModel(page, deps.tracker, deps.config, '/maniphest/'),
        canCreate: can(req.viewer, 'task.create'),
      });
    },
  };
}
