import type { Request, Response } from 'express';
import QRCode from 'qrcode';
import { AppError } from '../../errors';
import { beginEnrolment, confirmEnrolment, mfaStatus, pendingEnrolment, regenerateRecoveryCodes, removeMfa } from '../../users/mfa/mfa';
import { elevateSession } from '../../users/sessions';
import { TooManyAttempts } from '../../users/throttle';
import type { User } from '../../users/user';
import { CodeForm, SensitiveForm } from '../account-forms';
import type { AppDeps } from '../deps';
import { parseForm } from '../forms';
import { formProblem } from '../guards';
import { highSecurityModel, requireHighSecurity } from '../high-security';
import { renderPage } from '../render';

const PAGE = '/settings/mfa/';

/** Enrolling, using and removing a second factor (TOTP) at /settings/mfa/. */
export function mfaSettingsRoutes(deps: AppDeps) {
  function viewerOr(req: Request, res: Response): User | null {
    if (!req.viewer) res.redirect(303, `/login?next=${encodeURIComponent(PAGE)}`);
    return req.viewer;
  }

  async function render(req: Request, res: Response, viewer: User, extra: { recoveryCodes?: string[]; errors?: Record<string, string> } = {}, status = 200) {
    const [status_, pending] = await Promise.all([mfaStatus(deps.db, viewer.id), pendingEnrolment(deps, viewer)]);
    renderPage(
      req,
      res,
      'pages/settings/mfa',
      'Multi-Factor Authentication',
      {
        mfa: status_,
        required: deps.config.requireMfa && !status_.enrolled,
        pending: pending ? { secretGroups: pending.secret.match(/.{1,4}/g)!.join(' '), uri: pending.uri } : null,
        recoveryCodes: extra.recoveryCodes ?? null,
        highSecurity: highSecurityModel(req, deps.config.timezone),
        errors: extra.errors ?? {},
      },
      status,
    );
  }

  /** Runs a sensitive change; a missing or wrong code shows the page again with the problem beside the code field. */
  async function sensitive(req: Request, res: Response, viewer: User, change: () => Promise<void>) {
    try {
      parseForm(SensitiveForm, req.body);
      await requireHighSecurity(deps, req);
      await change();
    } catch (err) {
      const problem = formProblem(err);
      if (!problem) throw err;
      await render(req, res, viewer, { errors: problem.errors }, problem.status);
    }
  }

  return {
    async page(req: Request, res: Response) {
      const viewer = viewerOr(req, res);
      if (viewer) await render(req, res, viewer);
    },

    async begin(req: Request, res: Response) {
      const viewer = viewerOr(req, res);
      if (!viewer) return;
      await beginEnrolment(deps, viewer);
      res.redirect(303, PAGE);
    },

    /** The QR code of the enrolment under way, drawn on the server: the secret never leaves for a third party. */
    async qrCode(req: Request, res: Response) {
      const viewer = viewerOr(req, res);
      if (!viewer) return;
      const pending = await pendingEnrolment(deps, viewer);
      if (!pending) throw new AppError(404, 'not-found', 'There is no enrolment under way.');
      const svg = await QRCode.toString(pending.uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
      res.setHeader('Cache-Control', 'no-store');
      res.type('image/svg+xml').send(svg);
    },

    async confirm(req: Request, res: Response) {
      const viewer = viewerOr(req, res);
      if (!viewer) return;
      try {
        const form = parseForm(CodeForm, req.body);
        const recoveryCodes = await confirmEnrolment(deps, viewer, form.code);
        req.authSession!.hasMfa = true;
        req.authSession!.elevatedUntil = await elevateSession(deps.db, req.authSession!.id);
        await render(req, res, viewer, { recoveryCodes });
      } catch (err) {
        if (err instanceof TooManyAttempts) res.setHeader('Retry-After', String(err.retryAfter));
        const problem = err instanceof TooManyAttempts ? { status: 429, errors: { code: err.message } } : formProblem(err);
        if (!problem) throw err;
        await render(req, res, viewer, { errors: problem.errors }, problem.status);
      }
    },

    async regenerate(req: Request, res: Response) {
      const viewer = viewerOr(req, res);
      if (!viewer) return;
      await sensitive(req, res, viewer, async () => {
        if (!(await mfaStatus(deps.db, viewer.id)).enrolled) throw new AppError(409, 'mfa-not-enrolled', 'You have no second factor to make recovery codes for.');
        await render(req, res, viewer, { recoveryCodes: await regenerateRecoveryCodes(deps.db, viewer.id) });
      });
    },

    async remove(req: Request, res: Response) {
      const viewer = viewerOr(req, res);
      if (!viewer) return;
      await sensitive(req, res, viewer, async () => {
        await removeMfa(deps.db, viewer.id);
        res.redirect(303, PAGE);
      });
    },
  };
}
