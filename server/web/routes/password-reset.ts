import type { Request, Response } from 'express';
import { requestPasswordReset } from '../../users/password-reset';
import { TooManyAttempts } from '../../users/throttle';
import { ResetRequestForm } from '../account-forms';
import type { AppDeps } from '../deps';
import { parseForm } from '../forms';
import { formProblem } from '../guards';
import { renderPage } from '../render';

/** /login/email/: "Forgot your password?", answered the same whether or not the address has an account. */
export function passwordResetRoutes(deps: AppDeps) {
  function render(req: Request, res: Response, model: { email?: string; error?: string | null; sent?: boolean }, status = 200) {
    renderPage(req, res, 'pages/auth/reset', 'Forgot Your Password?', { email: model.email ?? '', error: model.error ?? null, sent: model.sent ?? false }, status);
  }

  return {
    form(req: Request, res: Response) {
      render(req, res, {});
    },

    async send(req: Request, res: Response) {
      const body = (req.body ?? {}) as Record<string, unknown>;
      const email = typeof body.email === 'string' ? body.email : '';
      try {
        const form = parseForm(ResetRequestForm, body);
        await requestPasswordReset(deps.db, deps.config, form.email, req.ip ?? null);
      } catch (err) {
        if (err instanceof TooManyAttempts) {
          res.setHeader('Retry-After', String(err.retryAfter));
          return render(req, res, { email, error: `Too many login links were asked for. ${err.message.replace(/^Too many attempts\. /, '')}` }, 429);
        }
        const problem = formProblem(err);
        if (!problem) throw err;
        return render(req, res, { email, error: Object.values(problem.errors)[0] }, problem.status);
      }
      void deps.jobs.kick();
      render(req, res, { email, sent: true });
    },
  };
}
