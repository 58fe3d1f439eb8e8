import type { Request, Response } from 'express';
import { findLiveLink, useLoginLink } from '../../users/login-links';
import { mfaStatus } from '../../users/mfa/mfa';
import type { AppDeps } from '../deps';
import { startBrowserSession } from '../login';
import { renderPage } from '../render';

const GONE = 'This link has expired, was used already, or was replaced by a newer one. Ask for a new one.';

/**
 * One-time login links (/login/once/TOKEN/), from a reset mail or an
 * administrator. Opening the link only shows a button: mail scanners that
 * fetch links must not use them up. Using it logs in with a partial session:
 * the second factor first if the account has one, then a new password.
 */
export function loginLinkRoutes(deps: AppDeps) {
  const tokenOf = (req: Request) => String(req.params.token ?? '');

  function gone(req: Request, res: Response) {
    renderPage(req, res, 'pages/auth/link-gone', 'Link Expired', { message: GONE }, 404);
  }

  return {
    async show(req: Request, res: Response) {
      const found = await findLiveLink(deps.db, tokenOf(req), ['reset', 'welcome']);
      if (!found) return gone(req, res);
      // The address bar holds the token: no page reached from here may be told it.
      res.setHeader('Referrer-Policy', 'no-referrer');
      renderPage(req, res, 'pages/auth/link', 'One-Time Login', { username: found.user.username, action: `/login/once/${tokenOf(req)}/`, welcome: found.link.purpose === 'welcome' });
    },

    async use(req: Request, res: Response) {
      const user = await useLoginLink(deps.db, tokenOf(req));
      if (!user) return gone(req, res);
      const { enrolled } = await mfaStatus(deps.db, user.id);
      await startBrowserSession(deps, req, res, user.id, { mfaPending: enrolled, passwordPending: true });
      res.redirect(303, enrolled ? '/auth/finish/' : '/auth/password/');
    },
  };
}
