import type { Request, Response } from 'express';
import { can } from '../users/roles';

/** The top bar's Log In link comes back to the page it was clicked on (a page read with GET, other than the login pages). */
function loginLink(req: Request): string {
  const here = req.originalUrl;
  if (req.method !== 'GET' || here === '/' || here.startsWith('/login') || here.startsWith('/auth/') || here.startsWith('/setup')) return '/login';
  return `/login?next=${encodeURIComponent(here)}`;
}

/** What every page's layout needs: the viewer's menu and the CSRF token for its forms. */
function layoutModel(req: Request) {
  const v = req.viewer;
  return {
    csrf: req.csrfToken,
    loginLink: loginLink(req),
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

/**
 * A view rendered on its own, without the layout, for a page to place as it is (`{{{…Html}}}`,
 * or the whole body through renderKeptPage). It sees what the layout's model holds, the CSRF
 * token included, as a page does.
 */
export function renderFragment(req: Request, view: string, model: object): Promise<string> {
  return new Promise((resolve, reject) => {
    req.app.render(view, { ...layoutModel(req), ...model, layout: false }, (err: Error | null, html?: string) => (err ? reject(err) : resolve(html ?? '')));
  });
}

/** A page whose body was rendered before (renderFragment), in the layout. */
export function renderKeptPage(req: Request, res: Response, title: string, bodyHtml: string, status = 200): void {
  renderPage(req, res, 'pages/kept', title, { bodyHtml }, status);
}
