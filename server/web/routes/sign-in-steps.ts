import type { Request, Response } from 'express';
import { setPassword } from '../../users/accounts';
import { verifySecondFactor } from '../../users/mfa/mfa';
import { ELEVATION_MS, elevateSession, updateSessionFlags } from '../../users/sessions';
import { TooManyAttempts } from '../../users/throttle';
import { CodeForm, SetPasswordForm } from '../account-forms';
import type { AppDeps } from '../deps';
import { parseForm } from '../forms';
import { safeLocalUrl } from '../local-url';
import { formProblem } from '../guards';
import { startBrowserSession } from '../login';
import { renderPage } from '../render';

/**
 * The steps after the first: the second factor a two-step login owes
 * (/auth/finish/), the new password a reset link owes (/auth/password/), and
 * the code that puts a session in high security mode (/auth/elevate/).
 */
export function signInStepRoutes(deps: AppDeps) {
  const queryNext = (req: Request) => (typeof req.query.next === 'string' ? req.query.next : '');

  function renderCode(req: Request, res: Response, view: 'finish' | 'elevate', next: string, error: string | null, status = 200) {
    renderPage(req, res, `pages/auth/${view}`, view === 'finish' ? 'Second Factor' : 'High Security', { next, error }, status);
  }

  /** Checks the code in the body; renders the form again (with a wait, if any) and returns false when it is not right. */
  async function codeAccepted(req: Request, res: Response, view: 'finish' | 'elevate'): Promise<boolean> {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const next = typeof body.next === 'string' ? body.next : '';
    try {
      const form = parseForm(CodeForm, body);
      await verifySecondFactor(deps, req.authSession!.user, form.code);
      return true;
    } catch (err) {
      if (err instanceof TooManyAttempts) {
        res.setHeader('Retry-After', String(err.retryAfter));
        renderCode(req, res, view, next, `Too many wrong codes. ${err.message.replace(/^Too many attempts\. /, '')}`, 429);
        return false;
      }
      const problem = formProblem(err);
      if (!problem) throw err;
      renderCode(req, res, view, next, Object.values(problem.errors)[0] ?? null, problem.status);
      return false;
    }
  }

  return {
    finishForm(req: Request, res: Response) {
      if (!req.authSession?.mfaPending) return res.redirect(303, '/');
      renderCode(req, res, 'finish', queryNext(req), null);
    },

    async finish(req: Request, res: Response) {
      const s = req.authSession;
      if (!s?.mfaPending) return res.redirect(303, '/');
      if (!(await codeAccepted(req, res, 'finish'))) return;
      await startBrowserSession(deps, req, res, s.user.id, { passwordPending: s.passwordPending, elevatedUntil: new Date(Date.now() + ELEVATION_MS) });
      const next = (req.body as Record<string, unknown>).next;
      res.redirect(303, s.passwordPending ? '/auth/password/' : safeLocalUrl(next));
    },

    passwordForm(req: Request, res: Response) {
      if (!req.authSession?.passwordPending) return res.redirect(303, '/settings/');
      renderPage(req, res, 'pages/auth/set-password', 'Choose a New Password', { username: req.authSession.user.username, errors: {} });
    },

    async setPassword(req: Request, res: Response) {
      const s = req.authSession;
      if (!s?.passwordPending) return res.redirect(303, '/settings/');
      try {
        const form = parseForm(SetPasswordForm, req.body);
        await setPassword(deps.db, s.user.id, form.password, s.id);
        await updateSessionFlags(deps.db, s.id, { passwordPending: false });
        res.redirect(303, '/');
      } catch (err) {
        const problem = formProblem(err);
        if (!problem) throw err;
        renderPage(req, res, 'pages/auth/set-password', 'Choose a New Password', { username: s.user.username, errors: problem.errors }, problem.status);
      }
    },

    elevateForm(req: Request, res: Response) {
      if (!req.viewer) return res.redirect(303, `/login?next=${encodeURIComponent(req.originalUrl)}`);
      if (!req.authSession?.hasMfa) return res.redirect(303, safeLocalUrl(queryNext(req)));
      renderCode(req, res, 'elevate', queryNext(req), null);
    },

    async elevate(req: Request, res: Response) {
      const s = req.authSession;
      if (!req.viewer || !s?.hasMfa) return res.redirect(303, '/');
      if (!(await codeAccepted(req, res, 'elevate'))) return;
      await elevateSession(deps.db, s.id);
      res.redirect(303, safeLocalUrl((req.body as Record<string, unknown>).next));
    },
  };
}
