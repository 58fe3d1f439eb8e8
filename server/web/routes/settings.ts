import type { Request, Response } from 'express';
import { parseRowId } from '../../db/ids';
import { createApiToken, listApiTokens, revokeApiToken } from '../../users/tokens';
import type { User } from '../../users/user';
import { NotFoundError } from '../../errors';
import type { AppDeps } from '../deps';
import { TokenForm, parseForm } from '../forms';
import { formProblem } from '../guards';
import { highSecurityModel, requireHighSecurity } from '../high-security';
import { renderPage } from '../render';
import { formatDateTime } from '../views/dates';

export function settingsRoutes(deps: AppDeps) {
  async function renderTokens(req: Request, res: Response, viewer: User, extra: { created?: { name: string; token: string }; errors?: Record<string, string>; name?: string }, status = 200) {
    const now = new Date();
    const when = (d: Date | null) => (d ? formatDateTime(d, now, deps.config.timezone) : null);
    const tokens = (await listApiTokens(deps.db, viewer)).map((t) => ({
      id: t.id,
      name: t.name,
      created: when(t.createdAt),
      lastUsed: when(t.lastUsedAt),
      revoked: when(t.revokedAt),
      revokeUrl: `/settings/tokens/${t.id}/revoke`,
    }));
    const highSecurity = highSecurityModel(req, deps.config.timezone);
    renderPage(req, res, 'pages/settings/tokens', 'API Tokens', { tokens, created: extra.created ?? null, errors: extra.errors ?? {}, name: extra.name ?? '', highSecurity }, status);
  }

  /** Tokens are one's own: a visitor is sent to log in first. */
  function viewerOr(req: Request, res: Response): User | null {
    if (!req.viewer) res.redirect(303, `/login?next=${encodeURIComponent('/settings/tokens/')}`);
    return req.viewer;
  }

  return {
    async tokens(req: Request, res: Response) {
      const viewer = viewerOr(req, res);
      if (viewer) await renderTokens(req, res, viewer, {});
    },

    /** The new token is on this one page and nowhere else: only its hash is kept. */
    async create(req: Request, res: Response) {
      const viewer = viewerOr(req, res);
      if (!viewer) return;
      const body = (req.body ?? {}) as Record<string, unknown>;
      try {
        const { name } = parseForm(TokenForm, body);
        await requireHighSecurity(deps, req);
        const { token, row } = await createApiToken(deps.db, viewer, name);
        await renderTokens(req, res, viewer, { created: { name: row.name, token } });
      } catch (err) {
        const problem = formProblem(err);
        if (!problem) throw err;
        await renderTokens(req, res, viewer, { errors: problem.errors, name: typeof body.name === 'string' ? body.name : '' }, problem.status);
      }
    },

    async revoke(req: Request, res: Response) {
      const viewer = viewerOr(req, res);
      if (!viewer) return;
      const id = parseRowId(String(req.params.id));
      if (id === null) throw new NotFoundError('You have no such API token, or it is already revoked.');
      await revokeApiToken(deps.db, viewer, id);
      res.redirect(303, '/settings/tokens/');
    },
  };
}
