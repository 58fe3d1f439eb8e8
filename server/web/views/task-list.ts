import type { Config } from '../../config';
import type { OpenTaskPage } from '../../tasks/read';
import type { SortKey } from '../../tasks/repository';
import type { Tracker } from '../../tasks/task';
import { formatDateTime } from './dates';
import { userLink } from './people';
import { taskState } from './task-page';

export function encodeCursor(key: SortKey): string {
  return key.join('.');
}

/** A cursor from the URL; anything malformed is refused rather than guessed at. */
export function decodeCursor(raw: unknown): SortKey | null | undefined {
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string' || !/^[0-9]{1,10}\.[0-9]{1,17}\.[0-9]{1,10}$/.test(raw)) return null;
  const key = raw.split('.').map(Number) as SortKey;
  return key[0] <= 2147483647 && key[2] <= 2147483647 ? key : null;
}

export function taskListModel(page: OpenTaskPage, tracker: Tracker, config: Config, basePath: string) {
  const now = new Date();
  return {
    rows: page.tasks.map((t) => {
      const owner = t.ownerId ? page.users.get(t.ownerId) : undefined;
      return {
        monogram: `T${t.id}`,
        url: `/T${t.id}`,
        title: t.title,
        ...taskState(t, tracker),
        owner: owner ? userLink(owner) : null,
        updated: formatDateTime(t.updatedAt, now, config.timezone),
        updatedIso: t.updatedAt.toISOString(),
      };
    }),
    nextUrl: page.next ? `${basePath}?after=${encodeCursor(page.next)}` : null,
    prevUrl: page.prev ? `${basePath}?before=${encodeCursor(page.prev)}` : null,
  };
}
