import type { Request, Response } from 'express';
import { can } from '../users/roles';

/** What every page's layout needs: the viewer's menu and the CSRF token for its forms. */
function layoutModel(req: Request) {
  const v = req.viewer;
  return {
    csrf: req.csrfToken,
    /** A login that still owes a second factor or a new password: it may only log out. */
    unfinishedLogin: Boolean(req.authSession && !v),
    viewer: v
      ? {
          username: v.username,
          profileUrl: `/p/${encodeURIComponent(v.username)}/`,
          canCreate: can(v, 'task.create'),
          canManageUsers: can(v, 'users.manage'),
          canManageMail: can(v, 'mail.manage'),
        }
      : null,
  };
}

export function renderPage(req: Request, res: Response, view: string, title: string, model: object, status = 200): void {
  res.status(status).render(view, { ...layoutModel(req), pageTitle: title, ...model });
}
