import type { User } from '../../users/user';
import type { UserRef } from '../../tasks/events/sentence';

export interface UserLink {
  username: string;
  url: string;
  realname: string;
}

export function userLink(user: Pick<User, 'username' | 'realname'>): UserLink {
  return { username: user.username, url: `/p/${encodeURIComponent(user.username)}/`, realname: user.realname };
}

/** Resolves user ids to sentence parts; a missing account still renders, as "unknown user". */
export function userRefs(users: Map<number, User>): (id: number | null) => UserRef {
  return (id) => {
    const u = id === null ? undefined : users.get(id);
    return u ? { kind: 'user', id: u.id, username: u.username } : { kind: 'user', id: null, username: 'unknown user' };
  };
}
