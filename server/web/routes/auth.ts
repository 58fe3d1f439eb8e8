import type { Request, Response } from 'express';
import { AppError, ValidationError } from '../../errors';
import { authenticate, createAccount } from '../../users/accounts';
import { mfaStatus } from '../../users/mfa/mfa';
import { countUsers } from '../../users/repository';
import { endSession } from '../../users/sessions';
import { checkLimits, clearAttempts, LIMITS, recordAttempt, sweepAttempts, TooManyAttempts, waitText, type Limit } from '../../users/throttle';
import { SESSION_COOKIE, cookieOptions } from '../cookies';
import type { AppDeps } from '../deps';
import { LoginForm, SetupForm, parseForm } from '../forms';
import { formProblem } from '../guards';
import { localUrl, safeLocalUrl } from '../local-url';
import { startBrowserSession } from '../login';
import { renderPage } from '../render';

export function authRoutes(deps: AppDeps) {

  function renderLogin(req: Request, res: Response, form: { username?: string; next?: string; error?: string }, status = 200) {
    renderPage(req, res, 'pages/auth/login', 'Log In', { username: form.username ?? '', next: localUrl(form.next) ?? '', error: form.error ?? null }, status);
  }

  function renderSetup(req: Request, res: Response, input: Record<string, unknown>, errors: Record<string, string>, status = 200) {
    const text = (k: string) => (typeof input[k] === 'string' ? input[k] : '');
    renderPage(req, res, 'pages/auth/setup', 'Set Up Trellis', { username: text('username'), realname: text('realname'), email: text('email'), errors }, status);
  }

  return {
    loginForm(req: Request, res: Response) {
      if (req.viewer) return res.redirect(303, safeLocalUrl(req.query.next));
      renderLogin(req, res, { next: typeof req.query.next === 'string' ? req.query.next : '' });
    },

    async login(req: Request, res: Response) {
      const body = (req.body ?? {}) as Record<string, unknown>;
      const username = typeof body.username === 'string' ? body.username : '';
      const next = typeof body.next === 'string' ? body.next : '';
      let form;
      try {
        form = parseForm(LoginForm, body);
      } catch (err) {
        if (!(err instanceof ValidationError)) throw err;
        return renderLogin(req, res, { username, next, error: Object.values(err.fields)[0] }, 422);
      }
      // Checked before the password, so not even the right one passes during a wait.
      const limits: [Limit, string][] = [
        [LIMITS.loginAccount, form.username.toLowerCase()],
        [LIMITS.loginAddress, req.ip ?? 'unknown'],
      ];
      try {
        await checkLimits(deps.db, limits);
      } catch (err) {
        if (!(err instanceof TooManyAttempts)) throw err;
        res.setHeader('Retry-After', String(err.retryAfter));
        return renderLogin(req, res, { username, next, error: `Too many failed attempts to log in. Try again in ${waitText(err.retryAfter)}.` }, 429);
      }
      const user = await authenticate(deps.db, form.username, form.password);
      if (!user) {
        await recordAttempt(deps.db, limits);
        return renderLogin(req, res, { username, next, error: 'That username and password do not match an active account.' }, 401);
      }
      await clearAttempts(deps.db, LIMITS.loginAccount, limits[0]![1]);
      await sweepAttempts(deps.db);
      const { enrolled } = await mfaStatus(deps.db, user.id);
      await startBrowserSession(deps, req, res, user.id, { mfaPending: enrolled });
      const to = safeLocalUrl(form.next);
      res.redirect(303, enrolled ? `/auth/finish/${to === '/' ? '' : `?next=${encodeURIComponent(to)}`}` : to);
    },

    async logout(req: Request, res: Response) {
      if (req.sessionId) await endSession(deps.db, req.sessionId);
      res.clearCookie(SESSION_COOKIE, cookieOptions(req));
      res.redirect(303, '/');
    },

    async setupForm(req: Request, res: Response) {
      if ((await countUsers(deps.db)) > 0) return res.redirect(303, '/login');
      renderSetup(req, res, {}, {});
    },

    async setup(req: Request, res: Response) {
      const body = (req.body ?? {}) as Record<string, unknown>;
      try {
        const form = parseForm(SetupForm, body);
        if (form.password !== form.confirm) throw new ValidationError({ confirm: 'The two passwords differ.' });
        const user = await createAccount(deps.db, { ...form, role: 'admin' }, { onlyIfNone: true });
        await startBrowserSession(deps, req, res, user.id);
        res.redirect(303, '/');
      } catch (err) {
        if (err instanceof AppError && err.code === 'setup-done') return res.redirect(303, '/login');
        const problem = formProblem(err);
        if (!problem) throw err;
        renderSetup(req, res, body, problem.errors, problem.status);
      }
    },
  };
}
