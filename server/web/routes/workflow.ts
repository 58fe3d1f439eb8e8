import type { Request, Response } from 'express';
import type { AppDeps } from '../deps';
import { renderPage } from '../render';
import { workflowModel } from '../views/workflow';

/** The read-only page of the configuration's workflow rules, open to anyone who can see a task. */
export function workflowRoutes(deps: AppDeps) {
  return {
    show(req: Request, res: Response) {
      renderPage(req, res, 'pages/config/workflow', 'Workflow Rules', workflowModel(deps.tracker, req.viewer ?? null));
    },
  };
}
