import type { Request, Response } from 'express';
import { parseRowId } from '../../db/ids';
import { NotFoundError } from '../../errors';
import { confirmCurrentPassword, setPassword } from '../../users/accounts';
import { findPendingEmail } from '../../users/login-links';
import { updateRealname } from '../../users/repository';
import { endOtherSessions, endSessionByRef, listSessions } from '../../users/sessions';
import type { User } from '../../users/user';
import { ChangePasswordForm, RealnameForm } from '../account-forms';
import type { AppDeps } from '../deps';
import { parseForm } from '../forms';
import { formProblem } from '../guards';
import { highSecurityModel, requireHighSecurity } from '../high-security';
import { renderPage } from '../render';
import { sessionListModel } from '../views/sessions';

const PAGE = '/settings/';

export type AccountForm = 'realname' | 'email' | 'password';

export interface AccountPageExtra {
  /** The form that was refused, and its problems by field. */
  form?: AccountForm;
  errors?: Record<string, string>;
  input?: Record<string, unknown>;
  notice?: string;
}

/** /settings/: real name, email address, password and the list of one's sessions. */
export function accountSettingsRoutes(deps: AppDeps) {
  function viewerOr(req: Request, res: Response): User | null {
    if (!req.viewer) res.redirect(303, `/login?next=${encodeURIComponent(PAGE)}`);
    return req.viewer;
  }

  async function render(req: Request, res: Response, viewer: User, extra: AccountPageExtra = {}, status = 200) {
    const input = extra.input ?? {};
    const typed = (k: string, fallback: string) => (typeof input[k] === 'string' ? (input[k] as string) : fallback);
    const [sessions, pendingEmail] = await Promise.all([listSessions(deps.db, viewer.id), findPendingEmail(deps.db, viewer.id)]);
    renderPage(
      req,
      res,
      'pages/settings/account',
      'Account Settings',
      {
        account: { username: viewer.username, email: viewer.email, pendingEmail },
        realname: typed('realname', viewer.realname),
        newEmail: typed('email', ''),
        sessions: sessionListModel(sessions, req.sessionId, deps.config.timezone),
        highSecurity: highSecurityModel(req, deps.config.timezone),
        errors: extra.form ? { [extra.form]: extra.errors ?? {} } : {},
        notice: extra.notice ?? (req.query.notice === 'password' ? 'Your password is changed. Every other session has ended.' : null),
      },
      status,
    );
  }

  /** Runs a change; a refused one shows the page again with each problem beside its field. */
  async function attempt(req: Request, res: Response, viewer: User, form: AccountForm, change: () => Promise<void>) {
    try {
      await change();
    } catch (err) {
      const problem = formProblem(err);
      if (!problem) throw err;
      await render(req, res, viewer, { form, errors: problem.errors, input: req.body as Record<string, unknown> }, problem.status);
    }
  }

  return {
    async page(req: Request, res: Response) {
      const viewer = viewerOr(req, res);
      if (viewer) await render(req, res, viewer);
    },

    async realname(req: Request, res: Response) {
      const viewer = viewerOr(req, res);
      if (!viewer) return;
      await attempt(req, res, viewer, 'realname', async () => {
        const form = parseForm(RealnameForm, req.body);
        await updateRealname(deps.db, viewer.id, form.realname);
        res.redirect(303, PAGE);
      });
    },

    /** Needs the current password and, with MFA, high security; every other session ends. */
    async password(req: Request, res: Response) {
      const viewer = viewerOr(req, res);
      if (!viewer) return;
      await attempt(req, res, viewer, 'password', async () => {
        const form = parseForm(ChangePasswordForm, req.body);
        await confirmCurrentPassword(deps.db, viewer, form.current);
        await requireHighSecurity(deps, req);
        await setPassword(deps.db, viewer.id, form.password, req.sessionId);
        res.redirect(303, `${PAGE}?notice=password`);
      });
    },

    async endSession(req: Request, res: Response) {
      const viewer = viewerOr(req, res);
      if (!viewer) return;
      const ref = parseRowId(String(req.params.ref));
      if (ref === null || !(await endSessionByRef(deps.db, viewer.id, ref))) throw new NotFoundError('You have no such session; it may have ended already.');
      res.redirect(303, PAGE);
    },

    async endOthers(req: Request, res: Response) {
      const viewer = viewerOr(req, res);
      if (!viewer) return;
      await endOtherSessions(deps.db, viewer.id, req.sessionId);
      res.redirect(303, PAGE);
    },

    render,
    attempt,
  };
}
