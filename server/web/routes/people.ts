import type { Request, Response } from 'express';
import { withoutNul } from '../../db/text';
import { AppError, NotFoundError } from '../../errors';
import { changeRole, setAccountDisabled } from '../../users/accounts';
import { describeAudit, listAudit } from '../../users/audit';
import { inviteAccount, issueLoginLink, resetAccountMfa } from '../../users/administration';
import { usersWithMfa } from '../../users/mfa/mfa';
import { findUserByUsername, listUsers } from '../../users/repository';
import { ROLES, ROLE_NAMES, isRole } from '../../users/roles';
import { searchTasks } from '../../search/engine';
import { MAX_LIMIT } from '../../search/query';
import { NewAccountForm } from '../account-forms';
import type { AppDeps } from '../deps';
import { DisableForm, RoleForm, parseForm } from '../forms';
import { formProblem, requireCapability } from '../guards';
import { highSecurityModel, isHighSecurity } from '../high-security';
import { renderPage } from '../render';
import { formatDateTime } from '../views/dates';

const PAGE = '/people/';
const MANAGE = 'Only administrators manage accounts.';

interface ListExtra {
  created?: { username: string; url: string; mailed: boolean };
  errors?: Record<string, string>;
  input?: Record<string, unknown>;
}

export function peopleRoutes(deps: AppDeps) {
  async function target(req: Request) {
    const user = await findUserByUsername(deps.db, withoutNul(String(req.params.username ?? '')));
    if (!user) throw new NotFoundError('There is no such account.');
    return user;
  }

  const auditor = (req: Request) => ({ actorId: req.viewer!.id, address: req.ip ?? null });
  const admin = (req: Request) => ({ user: req.viewer!, address: req.ip ?? null });

  /**
   * Changing accounts is a sensitive action: an administrator with MFA gives a
   * fresh code first, on /auth/elevate/, and comes back here.
   */
  function elevatedOr(req: Request, res: Response): boolean {
    if (isHighSecurity(req)) return true;
    res.redirect(303, `/auth/elevate/?next=${encodeURIComponent(PAGE)}`);
    return false;
  }

  async function renderList(req: Request, res: Response, extra: ListExtra = {}, status = 200) {
    const viewer = req.viewer!;
    const now = new Date();
    const [users, withMfa] = await Promise.all([listUsers(deps.db), usersWithMfa(deps.db)]);
    const people = users.map((u) => ({
      username: u.username,
      url: `/p/${encodeURIComponent(u.username)}/`,
      manageUrl: `/people/${encodeURIComponent(u.username)}/`,
      realname: u.realname,
      email: u.email,
      roleName: ROLE_NAMES[u.role],
      roles: ROLES.map((r) => ({ value: r, label: ROLE_NAMES[r], selected: r === u.role })),
      disabled: Boolean(u.disabledAt),
      isSelf: u.id === viewer.id,
      mfa: withMfa.has(u.id),
      created: formatDateTime(u.createdAt, now, deps.config.timezone),
    }));
    const input = extra.input ?? {};
    const typed = (k: string) => (typeof input[k] === 'string' ? (input[k] as string) : '');
    const newRole = typed('role') || 'engineer';
    renderPage(
      req,
      res,
      'pages/people/list',
      'People',
      {
        people,
        created: extra.created ?? null,
        highSecurity: highSecurityModel(req, deps.config.timezone),
        elevateUrl: `/auth/elevate/?next=${encodeURIComponent(PAGE)}`,
        add: { username: typed('username'), realname: typed('realname'), email: typed('email'), roles: ROLES.map((r) => ({ value: r, label: ROLE_NAMES[r], selected: r === newRole })) },
        errors: extra.errors ?? {},
      },
      status,
    );
  }

  /** Shown only when the link could not be mailed: no mailer is configured, or the account has no address. */
  const linkUrl = (path: string) => `${deps.config.baseUrl}${path}`;

  return {
    async list(req: Request, res: Response) {
      requireCapability(req, 'users.manage', MANAGE);
      await renderList(req, res);
    },

    async add(req: Request, res: Response) {
      requireCapability(req, 'users.manage', MANAGE);
      if (!elevatedOr(req, res)) return;
      const body = (req.body ?? {}) as Record<string, unknown>;
      try {
        const form = parseForm(NewAccountForm, body);
        const { user, linkPath, mailed } = await inviteAccount(deps.db, deps.config, { ...form, role: form.role ?? '' }, admin(req));
        if (mailed) void deps.jobs.kick();
        await renderList(req, res, { created: { username: user.username, url: mailed ? '' : linkUrl(linkPath), mailed } });
      } catch (err) {
        const problem = formProblem(err);
        if (!problem) throw err;
        await renderList(req, res, { errors: problem.errors, input: body }, problem.status);
      }
    },

    async loginLink(req: Request, res: Response) {
      requireCapability(req, 'users.manage', MANAGE);
      if (!elevatedOr(req, res)) return;
      const user = await target(req);
      const { linkPath, mailed } = await issueLoginLink(deps.db, deps.config, user, admin(req));
      if (mailed) void deps.jobs.kick();
      await renderList(req, res, { created: { username: user.username, url: mailed ? '' : linkUrl(linkPath), mailed } });
    },

    async setRole(req: Request, res: Response) {
      requireCapability(req, 'users.manage', MANAGE);
      if (!elevatedOr(req, res)) return;
      const user = await target(req);
      const { role } = parseForm(RoleForm, req.body);
      if (!isRole(role)) throw new AppError(422, 'invalid', `"${role}" is not a role. Choose one of: ${ROLES.join(', ')}.`, 'role');
      await changeRole(deps.db, user.id, role, auditor(req));
      res.redirect(303, PAGE);
    },

    async setDisabled(req: Request, res: Response) {
      requireCapability(req, 'users.manage', MANAGE);
      const user = await target(req);
      const { disabled } = parseForm(DisableForm, req.body);
      await setAccountDisabled(deps.db, user.id, disabled === 'true', auditor(req));
      res.redirect(303, PAGE);
    },

    async resetMfa(req: Request, res: Response) {
      requireCapability(req, 'users.manage', MANAGE);
      if (!elevatedOr(req, res)) return;
      const user = await target(req);
      await resetAccountMfa(deps.db, user.username, auditor(req));
      res.redirect(303, PAGE);
    },

    async log(req: Request, res: Response) {
      requireCapability(req, 'users.manage', MANAGE);
      const now = new Date();
      const entries = (await listAudit(deps.db, 500)).map((e) => ({
        at: formatDateTime(e.at, now, deps.config.timezone),
        sentence: describeAudit(e),
        address: e.address,
      }));
      renderPage(req, res, 'pages/people/log', 'Account Log', { entries });
    },

    async profile(req: Request, res: Response) {
      if (!req.viewer) return res.redirect(303, `/login?next=${encodeURIComponent(req.originalUrl)}`);
      const user = await target(req);
      const open = await searchTasks(deps.db, deps.tracker, req.viewer, {
        filter: { owners: [user.id], statuses: deps.tracker.openStatusKeys },
        order: 'priority',
        group: 'none',
        limit: MAX_LIMIT,
      });
      const assigned = open.tasks.map((t) => ({ monogram: `T${t.id}`, url: `/T${t.id}`, title: t.title, priorityName: deps.tracker.priorityName(t.priority), priorityColor: deps.tracker.priorityColor(t.priority) }));
      renderPage(req, res, 'pages/people/profile', user.username, {
        person: { username: user.username, realname: user.realname, roleName: ROLE_NAMES[user.role], disabled: Boolean(user.disabledAt) },
        assigned,
      });
    },
  };
}
