import type { Request, Response } from 'express';
import { confirmCurrentPassword } from '../../users/accounts';
import { confirmEmailChange, requestEmailChange } from '../../users/email-change';
import { findLiveLink } from '../../users/login-links';
import { EmailForm } from '../account-forms';
import type { AppDeps } from '../deps';
import { parseForm } from '../forms';
import { requireHighSecurity } from '../high-security';
import { renderPage } from '../render';
import type { accountSettingsRoutes } from './account-settings';

const GONE = 'This link has expired, was used already, or was replaced by a newer one. Ask for a new one on your account settings.';

/** Changing one's address: asked for on /settings/, confirmed by the link mailed to the new address. */
export function emailSettingsRoutes(deps: AppDeps, account: ReturnType<typeof accountSettingsRoutes>) {
  const tokenOf = (req: Request) => String(req.params.token ?? '');

  return {
    /** Needs the current password and, with MFA, high security: the address is where resets go. */
    async request(req: Request, res: Response) {
      const viewer = req.viewer;
      if (!viewer) return res.redirect(303, `/login?next=${encodeURIComponent('/settings/')}`);
      await account.attempt(req, res, viewer, 'email', async () => {
        const form = parseForm(EmailForm, req.body);
        await confirmCurrentPassword(deps.db, viewer, form.current);
        await requireHighSecurity(deps, req);
        await requestEmailChange(deps.db, deps.config, viewer, form.email);
        void deps.jobs.kick();
        await account.render(req, res, viewer, { notice: `A link is on its way to ${form.email}. Your address changes when you follow it, within a day.` });
      });
    },

    /** Opening the link shows a button, so a mail scanner fetching it changes nothing. */
    async show(req: Request, res: Response) {
      const found = await findLiveLink(deps.db, tokenOf(req), ['verify-email']);
      if (!found) return renderPage(req, res, 'pages/auth/link-gone', 'Link Expired', { message: GONE }, 404);
      res.setHeader('Referrer-Policy', 'no-referrer');
      renderPage(req, res, 'pages/settings/verify-email', 'Verify Your Email Address', { username: found.user.username, email: found.link.email, action: `/settings/email/verify/${tokenOf(req)}/` });
    },

    async confirm(req: Request, res: Response) {
      const done = await confirmEmailChange(deps.db, tokenOf(req));
      if (!done) return renderPage(req, res, 'pages/auth/link-gone', 'Link Expired', { message: GONE }, 404);
      renderPage(req, res, 'pages/settings/verify-email', 'Email Address Verified', { username: done.user.username, email: done.email, verified: true });
    },
  };
}
