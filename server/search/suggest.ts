import type { Knex } from 'knex';
import { listProjects } from '../projects/repository';
import { searchPickerTasks } from '../tasks/graph/repository';
import type { Tracker } from '../tasks/task';
import type { Actor } from '../users/roles';
import { suggestUsers } from '../users/repository';

/** How many suggestions one typeahead answer holds. */
export const SUGGEST_LIMIT = 8;

export const SUGGEST_KINDS = ['people', 'projects', 'tasks'] as const;
export type SuggestKind = (typeof SUGGEST_KINDS)[number];

/** One suggestion: `value` is what a field takes when it is chosen, the same text a person could type. */
export interface Suggestion {
  value: string;
  label: string;
  url: string;
  closed: boolean;
}

/**
 * Suggestions for a field that names people, projects or tasks, limited to what the viewer
 * may see: tasks through the same visibility condition as every list, accounts and projects
 * only for a viewer with an account (a visitor names neither in any form).
 */
export async function suggest(db: Knex, tracker: Tracker, viewer: Actor | null, kind: SuggestKind, text: string): Promise<Suggestion[]> {
  const q = text.trim().replace(/^[@#]/, '').slice(0, 100);
  if (!q) return [];
  if (kind === 'tasks') {
    const number = /^[Tt]?([1-9][0-9]{0,9})$/.exec(q);
    const id = number && Number(number[1]) <= 2147483647 ? Number(number[1]) : null;
    const words = id !== null ? [] : (q.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).slice(0, 8);
    const rows = await searchPickerTasks(db, viewer, { id, words, exclude: [], statuses: null, limit: SUGGEST_LIMIT });
    return rows.map((t) => ({ value: `T${t.id}`, label: `T${t.id}: ${t.title}`, url: `/T${t.id}`, closed: tracker.isClosed(t.status) }));
  }
  if (!viewer) return [];
  if (kind === 'people') {
    const users = await suggestUsers(db, q, SUGGEST_LIMIT);
    return users.map((u) => ({
      value: u.username,
      label: u.realname ? `${u.username} (${u.realname})` : u.username,
      url: `/p/${encodeURIComponent(u.username)}/`,
      closed: false,
    }));
  }
  const projects = await listProjects(db, { text: q, limit: SUGGEST_LIMIT });
  return projects.map((p) => ({ value: `#${p.hashtags[0]}`, label: `#${p.hashtags[0]} (${p.name})`, url: `/tag/${p.hashtags[0]}/`, closed: false }));
}
