import type { Knex } from 'knex';
import type { z } from 'zod';
import type { Tracker } from '../tasks/task';
import type { User } from '../users/user';
import type { IssueClaim } from './params';

/** What a method runs with: the domain, and the caller (null only for methods that need no token). */
export interface ConduitContext {
  db: Knex;
  tracker: Tracker;
  viewer: User | null;
  /** The site's address as the caller reached it, for absolute URIs in answers. */
  baseUrl: string;
  /** The install's time zone, in which query days begin. */
  timeZone: string;
}

/** One parameter as the console documents it. */
export interface ParamDoc {
  name: string;
  type: string;
  description: string;
}

export interface ConduitMethod<S extends z.ZodType = z.ZodType> {
  name: string;
  summary: string;
  /** False only for conduit.ping: everything else acts as, or reads for, a person. */
  needsToken: boolean;
  params: S;
  docs: ParamDoc[];
  /** Parameters for the console's example and its prefilled form. */
  example: Record<string, unknown>;
  /** Problems this method reports with its own error codes. */
  claimIssue?: IssueClaim;
  call(ctx: ConduitContext, params: z.infer<S>): Promise<unknown>;
}

/** Keeps each method's parameter type tied to its schema while the registry holds them all. */
export function defineMethod<S extends z.ZodType>(m: ConduitMethod<S>): ConduitMethod {
  return m as unknown as ConduitMethod;
}
