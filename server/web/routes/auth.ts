import type { Request, Response } from 'express';
import { AppError, ValidationError } from '../../errors';
import { authenticate, createAccount } from '../../users/accounts';
import { countUsers } from '../../users/repository';
import { endSession, startSession } from '../../users/sessions';
import { SESSION_COOKIE, cookieOptions } from '../cookies';
import type { AppDeps } from '../deps';
import { LoginForm, SetupForm, parseForm } from '../forms';
import { formProblem } from '../guards';
import { localUrl, safeLocalUrl } from '../local-url';
import { renderPage } from '../render';

const DAY = 24 * 60 * 60 * 1000;

export function authRoutes(deps: AppDeps) {
  async function logIn(req: Request, res: Response, userId: number) {
    if (req.sessionId) await endSession(deps.db, req.sessionId);
    const { token } = await startSession(deps.db, userId, deps.config.sessionDays);
    res.cookie(SESSION_COOKIE, token, cookieOptions(req, deps.config.sessionDays * DAY));
  }

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
      const user = await authenticate(deps.db, form.username, form.password);
      if (!user) return renderLogin(req, res, { username, next, error: 'That username and password do not match an active account.' }, 401);
      await logIn(req, res, user.id);
      res.redirect(303, safeLocalUrl(form.next));
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
        await logIn(req, res, user.id);
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
