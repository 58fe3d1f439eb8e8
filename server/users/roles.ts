/**
 * The one capability map. Every permission check in Trellis asks `can()`;
 * no other file decides what a role may do.
 */
export const ROLES = ['reader', 'engineer', 'maintainer', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const CAPABILITIES = [
  'task.create', // file new tasks
  'task.edit', // title and description
  'task.triage', // priority and owner
  'task.claim', // take ownership yourself
  'task.comment',
  'task.subscribe', // subscribe and unsubscribe people
  'task.close', // change status: close, reopen
  'task.visibility', // change who may see a task
  'task.bulk', // edit many tasks at once from a list
  'comment.moderate', // edit and remove other people's comments
  'users.manage', // roles, accounts
  'mail.manage', // see the outbox, retry mail
  'project.create', // create projects; members edit their own, maintainers any
] as const;
export type Capability = (typeof CAPABILITIES)[number];

const ENGINEER: Capability[] = ['task.create', 'task.edit', 'task.triage', 'task.claim', 'task.comment', 'task.subscribe', 'project.create'];
const MAINTAINER: Capability[] = [...ENGINEER, 'task.close', 'task.visibility', 'task.bulk', 'comment.moderate'];

const CAPABILITY_MAP: Record<Role, ReadonlySet<Capability>> = {
  reader: new Set(),
  engineer: new Set(ENGINEER),
  maintainer: new Set(MAINTAINER),
  admin: new Set(CAPABILITIES),
};

export const ROLE_NAMES: Record<Role, string> = {
  reader: 'Reader',
  engineer: 'Engineer',
  maintainer: 'Maintainer',
  admin: 'Administrator',
};

export interface Actor {
  id: number;
  username: string;
  role: Role;
}

export function can(actor: Actor | null, capability: Capability): boolean {
  return actor !== null && CAPABILITY_MAP[actor.role].has(capability);
}

/** Maintainers and admins see tasks restricted to maintainers. */
export function isMaintainer(actor: Actor | null): boolean {
  return actor !== null && (actor.role === 'maintainer' || actor.role === 'admin');
}

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}
