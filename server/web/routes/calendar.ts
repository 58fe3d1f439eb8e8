import type { Request, Response } from 'express';
import { buildFeed, feedOwner, feedPath, findFeed, regenerateFeed, revokeFeed } from '../../calendar/feeds';
import { NotFoundError } from '../../errors';
import type { User } from '../../users/user';
import type { AppDeps } from '../deps';
import { renderPage } from '../render';
import { siteUrl } from '../request-url';
import { formatDateTime } from '../views/dates';

/** The due date calendar feed, and the settings page that makes, shows once and revokes its URL. */
export function calendarRoutes(deps: AppDeps) {
  /** The feed is one's own: a visitor is sent to log in first. */
  function viewerOr(req: Request, res: Response): User | null {
    if (!req.viewer) res.redirect(303, `/login?next=${encodeURIComponent('/settings/calendar/')}`);
    return req.viewer;
  }

  async function renderSettings(req: Request, res: Response, viewer: User, createdUrl: string | null) {
    const feed = await findFeed(deps.db, viewer);
    renderPage(req, res, 'pages/settings/calendar', 'Calendar Feed', {
      createdUrl,
      feed: feed ? { created: formatDateTime(feed.createdAt, new Date(), deps.config.timezone) } : null,
    });
  }

  return {
    async settings(req: Request, res: Response) {
      const viewer = viewerOr(req, res);
      if (viewer) await renderSettings(req, res, viewer, null);
    },

    /** The new URL is on this one page and nowhere else: only its secret's hash is kept. */
    async regenerate(req: Request, res: Response) {
      const viewer = viewerOr(req, res);
      if (!viewer) return;
      const secret = await regenerateFeed(deps.db, viewer);
      res.setHeader('Cache-Control', 'no-store');
      await renderSettings(req, res, viewer, `${siteUrl(req)}${feedPath(secret)}`);
    },

    async revoke(req: Request, res: Response) {
      const viewer = viewerOr(req, res);
      if (!viewer) return;
      await revokeFeed(deps.db, viewer);
      res.redirect(303, '/settings/calendar/');
    },

    /** Calendar apps fetch this without a session: the secret is the key, and a revoked one opens nothing. */
    async feed(req: Request, res: Response) {
      const owner = await feedOwner(deps.db, String(req.params.secret ?? ''));
      if (!owner) throw new NotFoundError('There is no calendar feed at this address. It may have been revoked or replaced.');
      const ics = await buildFeed(deps.db, deps.tracker, owner, siteUrl(req));
      res.setHeader('Cache-Control', 'private, no-cache');
      res.type('text/calendar; charset=utf-8').send(ics);
    },
  };
}
