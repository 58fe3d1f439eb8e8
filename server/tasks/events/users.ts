import type { User } from '../../users/user';
import { FieldProblem, type ParseContext } from './types';

/** A username as typed, "@" and surrounding spaces left out. */
export const bareName = (typed: string): string => typed.trim().replace(/^@/, '');

/** Resolves a username (forms) or a user id (internal callers) to an enabled account. */
export async function resolveUser(raw: unknown, ctx: ParseContext, field: string): Promise<User> {
  let user: User | null = null;
  if (typeof raw === 'number' && Number.isInteger(raw)) user = await ctx.findUserById(raw);
  else if (typeof raw === 'string') user = await ctx.findUserByName(bareName(raw));
  else throw new FieldProblem(field, 'Name a person by their username.');
  if (!user) throw new FieldProblem(field, `There is no user named "${String(raw).trim()}".`);
  if (user.disabledAt) throw new FieldProblem(field, `The account "${user.username}" is disabled.`);
  return user;
}
