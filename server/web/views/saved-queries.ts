import { BUILTIN_QUERIES } from '../../search/builtin';
import type { SavedQuery } from '../../search/saved/queries';
import type { User } from '../../users/user';

const queryUrl = (key: string) => `/maniphest/query/${key}/`;

/** The left navigation of lists: the built-in queries, then the viewer's own, in their order. */
export function queryNavModel(viewer: User | null, saved: SavedQuery[], activeKey: string | null) {
  return {
    builtin: BUILTIN_QUERIES.filter((q) => viewer || !q.needsLogin).map((q) => ({ name: q.name, url: queryUrl(q.key), active: q.key === activeKey })),
    saved: saved.map((q) => ({ name: q.name, url: queryUrl(q.key), active: q.key === activeKey })),
    manageUrl: viewer ? '/maniphest/query/edit/' : null,
  };
}

/** What a refused rename left behind: the query, the name typed and why. */
export interface RenameState {
  key: string;
  name: string;
  error: string;
}

export function manageQueriesModel(saved: SavedQuery[], rename?: RenameState) {
  return {
    queries: saved.map((q, i) => {
      const failed = rename?.key === q.key ? rename : null;
      return {
        name: q.name,
        url: queryUrl(q.key),
        inputName: failed ? failed.name : q.name,
        error: failed?.error ?? null,
        renameUrl: `${queryUrl(q.key)}rename`,
        moveUrl: `${queryUrl(q.key)}move`,
        deleteUrl: `${queryUrl(q.key)}delete`,
        canMoveUp: i > 0,
        canMoveDown: i < saved.length - 1,
        isDefault: i === 0,
        inputId: `rename-${q.key}`,
      };
    }),
    empty: saved.length === 0,
  };
}
