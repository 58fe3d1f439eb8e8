import type { ConduitClient } from './client';
import type { PhabColumn, PhabProject, PhabStatus, PhabTask, PhabTransaction, PhabUser, SearchPage } from './shapes';

/** Problems a reader met and stepped over, for the report. */
export type Skip = (kind: string, reason: string) => void;

/**
 * Every result of a *.search method, page by page, without holding more than
 * one page. A cursor seen before (a server that repeats a page) ends the walk
 * instead of looping for ever.
 */
export async function* searchAll<T>(client: ConduitClient, method: string, params: Record<string, unknown>, skip: Skip): AsyncGenerator<T[]> {
  const seen = new Set<string>();
  let after: string | null = null;
  for (;;) {
    const page: SearchPage<T> = await client.call<SearchPage<T>>(method, { ...params, limit: 100, ...(after !== null ? { after } : {}) });
    if (!page || !Array.isArray(page.data)) throw new Error(`${method} answered without a list of results`);
    yield page.data;
    const next = page.cursor?.after ?? null;
    if (next === null || next === undefined || page.data.length === 0) return;
    if (seen.has(String(next))) {
      skip('page', `${method} repeated the page after cursor ${next}; the walk stopped there`);
      return;
    }
    seen.add(String(next));
    after = String(next);
  }
}

export function readUsers(client: ConduitClient, skip: Skip): AsyncGenerator<PhabUser[]> {
  return searchAll<PhabUser>(client, 'user.search', {}, skip);
}

export function readProjects(client: ConduitClient, skip: Skip): AsyncGenerator<PhabProject[]> {
  return searchAll<PhabProject>(client, 'project.search', { order: 'oldest', attachments: { members: true, watchers: true } }, skip);
}

export function readColumns(client: ConduitClient, skip: Skip): AsyncGenerator<PhabColumn[]> {
  return searchAll<PhabColumn>(client, 'project.column.search', {}, skip);
}

/** Tasks oldest first (ids rise), with subscribers and tags; only those modified since `since` when given. */
export function readTasks(client: ConduitClient, skip: Skip, since: number | null): AsyncGenerator<PhabTask[]> {
  return searchAll<PhabTask>(
    client,
    'maniphest.search',
    {
      order: 'oldest',
      attachments: { subscribers: true, projects: true },
      ...(since !== null ? { constraints: { modifiedStart: since } } : {}),
    },
    skip,
  );
}

/** The highest task number of the install: the newest task's. */
export async function highestTaskId(client: ConduitClient): Promise<number | null> {
  const page = await client.call<SearchPage<PhabTask>>('maniphest.search', { order: 'newest', limit: 1 });
  return page?.data?.[0]?.id ?? null;
}

/** A task's whole history, oldest first. transaction.search pages newest first. */
export async function readTransactions(client: ConduitClient, taskPhid: string, skip: Skip): Promise<PhabTransaction[]> {
  const all: PhabTransaction[] = [];
  for await (const page of searchAll<PhabTransaction>(client, 'transaction.search', { objectIdentifier: taskPhid }, skip)) all.push(...page);
  const byId = new Map(all.map((x) => [x.id, x]));
  return [...byId.values()].sort((a, b) => a.dateCreated - b.dateCreated || a.id - b.id);
}

/** The install's statuses: maniphest.status.search, or the older maniphest.querystatuses. */
export async function readStatuses(client: ConduitClient): Promise<PhabStatus[]> {
  try {
    const r = await client.call<{ data: PhabStatus[] }>('maniphest.status.search', {});
    if (Array.isArray(r?.data)) return r.data;
  } catch {
    // Installs older than 2017 lack the method; querystatuses has the same facts in another shape.
  }
  const r = await client.call<{ statusMap?: Record<string, string>; closedStatuses?: Record<string, string> | string[] }>('maniphest.querystatuses', {});
  const closed = new Set(Object.values(r?.closedStatuses ?? {}));
  return Object.entries(r?.statusMap ?? {}).map(([value, name]) => ({ value, name, closed: closed.has(value) }));
}
