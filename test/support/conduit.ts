import type { Express } from 'express';
import type { Knex } from 'knex';
import request from 'supertest';
import { createApiToken } from '../../server/users/tokens';
import type { User } from '../../server/users/user';

/** A Conduit client for tests: the calls real clients make, and the answers as they come. */

export interface ConduitBody {
  result: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  error_code: string | null;
  error_info: string | null;
}

export async function tokenFor(db: Knex, user: User, name = 'test'): Promise<string> {
  return (await createApiToken(db, user, name)).token;
}

/** The shape every Conduit answer has: HTTP 200, JSON, the three keys and nothing else. */
export function conduitBody(res: request.Response): ConduitBody {
  if (res.status !== 200) throw new Error(`Conduit answered HTTP ${res.status}: ${res.text}`);
  if (!/^application\/json/.test(String(res.headers['content-type']))) throw new Error(`Conduit answered ${res.headers['content-type']}: ${res.text}`);
  const body = res.body as ConduitBody;
  if (Object.keys(body).sort().join(',') !== 'error_code,error_info,result') throw new Error(`Not a Conduit answer: ${res.text}`);
  return body;
}

/** Calls a method as arcanist and canduit do: every parameter in one JSON field, the token inside it. */
export async function call(app: Express, method: string, params: Record<string, unknown> = {}, token: string | null = null): Promise<ConduitBody> {
  const all = token === null ? params : { ...params, __conduit__: { token } };
  return conduitBody(await request(app).post(`/api/${method}`).type('form').send({ params: JSON.stringify(all), output: 'json' }));
}

/** Calls a method with plain form fields, exactly as given (curl -d a[b]=c). */
export async function callFields(app: Express, method: string, fields: Record<string, string | string[]>): Promise<ConduitBody> {
  return conduitBody(await request(app).post(`/api/${method}`).type('form').send(fields));
}

/** The result of a call that must succeed. */
export async function result(app: Express, method: string, params: Record<string, unknown>, token: string | null) {
  const body = await call(app, method, params, token);
  if (body.error_code !== null) throw new Error(`${method} failed: ${body.error_code}: ${body.error_info}`);
  return body.result;
}
