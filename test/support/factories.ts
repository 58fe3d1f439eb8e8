import type { Knex } from 'knex';
import { applyEdit, type Domain } from '../../server/tasks/editor';
import type { Change } from '../../server/tasks/events/types';
import { hashPassword } from '../../server/users/passwords';
import { insertUser } from '../../server/users/repository';
import type { Role } from '../../server/users/roles';
import type { User } from '../../server/users/user';

export const PASSWORD = 'correct horse battery';
let passwordHash: Promise<string> | undefined;
let seq = 0;

/** A user with overridable defaults; all share one password so logging in is cheap. */
export async function createUser(db: Knex, overrides: { username?: string; role?: Role; realname?: string; email?: string | null } = {}): Promise<User> {
  passwordHash ??= hashPassword(PASSWORD);
  seq += 1;
  return insertUser(db, {
    username: overrides.username ?? `user${seq}`,
    realname: overrides.realname ?? '',
    email: overrides.email ?? null,
    role: overrides.role ?? 'engineer',
    passwordHash: await passwordHash,
  });
}

export interface TaskOverrides {
  title?: string;
  description?: string;
  priority?: string;
  status?: string;
  owner?: string | number | null;
  view?: string;
}

/** Creates a task through the editor, as a person would. Returns its id. */
export async function createTask(d: Domain, author: User, overrides: TaskOverrides = {}): Promise<number> {
  const changes: Change[] = [{ type: 'title', value: overrides.title ?? `Task ${++seq}` }];
  for (const key of ['description', 'priority', 'status', 'owner', 'view'] as const) {
    if (overrides[key] !== undefined) changes.push({ type: key, value: overrides[key] });
  }
  return (await applyEdit(d, author, null, changes)).taskId;
}

export async function edit(d: Domain, actor: User, taskId: number, changes: Record<string, unknown>) {
  return applyEdit(
    d,
    actor,
    taskId,
    Object.entries(changes).map(([type, value]) => ({ type, value })),
  );
}
