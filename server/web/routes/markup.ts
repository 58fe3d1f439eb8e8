import type { Request, Response } from 'express';
import { renderForViewer } from '../../tasks/references';
import type { AppDeps } from '../deps';
import { PreviewForm, parseForm } from '../forms';
import { requireViewer } from '../guards';

export function markupRoutes(deps: AppDeps) {
  return {
    /** The same renderer as saved text, references resolved for the person previewing. */
    async preview(req: Request, res: Response) {
      const viewer = requireViewer(req);
      const { text } = parseForm(PreviewForm, req.body);
      res.type('text/html').send(await renderForViewer(deps.db, viewer, deps.tracker, text));
    },
  };
}
