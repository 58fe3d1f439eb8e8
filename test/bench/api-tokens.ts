import { openPostgres } from '../../server/db/connect';
import { createApiTokenFor } from '../../server/users/tokens';

/**
 * Conduit tokens for the API scenario, one per connection of the highest
 * concurrency, as that many scripts would each hold their own: each token's
 * rate-limit counter is a row of its own, so they do not queue on one lock.
 * They go with the other writes (created after the watermark).
 */
export async function makeApiTokens(databaseUrl: string, username: string, count: number): Promise<string[]> {
  const database = openPostgres(databaseUrl, 1);
  try {
    const tokens: string[] = [];
    for (let i = 0; i < count; i++) tokens.push((await createApiTokenFor(database.db, username, `bench ${i + 1}`)).token);
    return tokens;
  } finally {
    await database.close();
  }
}

/** One call before the load: a Conduit refusal is an HTTP 200 too, so the status alone would count it as a success. */
export async function checkApiCall(baseUrl: string, path: string, body: string): Promise<void> {
  const res = await fetch(`${baseUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
  const answer = (await res.json()) as { result?: { object?: { id?: number } }; error_code?: string | null; error_info?: string | null };
  if (res.status !== 200 || answer.error_code || !answer.result?.object?.id) {
    throw new Error(`The API scenario's call was refused (HTTP ${res.status}): ${answer.error_code} ${answer.error_info}`);
  }
}
