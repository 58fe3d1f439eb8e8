import type { Request, Response } from 'express';
import { withoutNul } from '../../db/text';
import { AppError, NotFoundError } from '../../errors';
import { changeRole, setAccountDisabled } from '../../users/accounts';
import { findUserByUsername, listUsers } from '../../users/repository';
import { ROLES, ROLE_NAMES, isRole } from '../../users/roles';
import { searchTasks } from '../../search/engine';
import { MAX_LIMIT } from '../../search/query';
import type { AppDeps } from '../deps';
import { DisableForm, RoleForm, parseForm } from '../forms';
import { requireCapability } from '../guards';
import { renderPage } from '../render';
import { formatDateTime } from '../views/dates';

export function peopleRoutes(deps: AppDeps) {
  async function target(req: Request) {
    const user = await findUserByUsername(deps.db, withoutNul(String(req.params.username ?? '')));
    if (!user) throw new NotFoundError('There is no such account.');
    return user;
  }

  return {
    async list(req: Request, res: Response) {
      const viewer = requireCapability(req, 'users.manage', 'Only administrators manage accounts.');
      const now = new Date();
      const people = (await listUsers(deps.db)).map((u) => ({
        username: u.username,
        url: `/p/${encodeURIComponent(u.username)}/`,
        manageUrl: `/people/${encodeURIComponent(u.username)}/`,
        realname: u.realname,
        email: u.email,
        roleName: ROLE_NAMES[u.role],
        roles: ROLES.map((r) => ({ value: r, label: ROLE_NAMES[r], selected: r === u.role })),
        disabled: Boolean(u.disabledAt),
        isSelf: u.id === viewer.id,
        created: formatDateTime(u.createdAt, now, deps.config.timezone),
      }));
      renderPage(req, res, 'pages/people/list', 'People', { people });
    },

    async setRole(req: Request, res: Response) {
      requireCapability(req, 'users.manage', 'Only administrators manage accounts.');
      const user = await target(req);
      const { role } = parseForm(RoleForm, req.body);
      if (!isRole(role)) throw new AppError(422, 'invalid', `"${role}" is not a role. Choose one of: ${ROLES.join(', ')}.`, 'role');
      await changeRole(deps.db, user.id, role);
      res.redirect(303, '/people/');
    },

    async setDisabled(req: Request, res: Response) {
      requireCapability(req, 'users.manage', 'Only administrators manage accounts.');
      const user = await target(req);
      const { disabled } = parseForm(DisableForm, req.body);
      await setAccountDisabled(deps.db, user.id, disabled === 'true');
      res.redirect(303, '/people/');
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
