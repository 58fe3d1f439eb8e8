import { z } from 'zod';
import { defineMethod } from '../method';
import { userRoles } from '../shapes';

export const userWhoami = defineMethod({
  name: 'user.whoami',
  summary: 'The account the token belongs to.',
  needsToken: true,
  params: z.object({}).strict(),
  docs: [],
  example: {},
  async call({ viewer, baseUrl }) {
    const u = viewer!;
    return {
      phid: u.phid,
      userName: u.username,
      realName: u.realname,
      // Trellis has no profile pictures; Phabricator gives the default one's URL to accounts without their own.
      image: `${baseUrl}/static/img/avatar.svg`,
      uri: `${baseUrl}/p/${encodeURIComponent(u.username)}/`,
      roles: userRoles(u, true),
      primaryEmail: u.email,
    };
  },
});
