import type { Knex } from 'knex';
import { FieldProblem } from '../tasks/events/types';
import { findColumnsByIds, findColumnsByPhids, type BoardColumn } from './board-repository';
import { normalizeHashtag, type Project } from './project';
import { findProjectsByHashtags, findProjectsByIds, findProjectsByPhids } from './repository';
import { parseRowId } from '../db/ids';

/** What parsing tag changes and card moves looks up, inside the editor's transaction. */
export interface ProjectLookup {
  /** Projects named by id, PHID or hashtag ("#backend" or "backend"); an unknown one is a problem of `field`. */
  projects(refs: unknown[], field: string): Promise<Project[]>;
  /** A column named by id or PHID, with its board's project. */
  column(ref: unknown, field: string): Promise<{ column: BoardColumn; project: Project }>;
}

export function projectLookup(trx: Knex.Transaction): ProjectLookup {
  return {
    async projects(refs, field) {
      const ids: number[] = [];
      const phids: string[] = [];
      const tags: string[] = [];
      for (const ref of refs) {
        if (typeof ref === 'number' && Number.isInteger(ref)) ids.push(ref);
        else if (typeof ref === 'string' && ref.startsWith('PHID-')) phids.push(ref);
        else if (typeof ref === 'string' && ref.trim()) tags.push(normalizeHashtag(ref));
        else throw new FieldProblem(field, 'Name each project by its hashtag.');
      }
      const byId = await findProjectsByIds(trx, ids);
      const byPhid = await findProjectsByPhids(trx, phids);
      const byTag = await findProjectsByHashtags(trx, tags);
      const missing = [
        ...ids.filter((id) => !byId.some((p) => p.id === id)).map(String),
        ...phids.filter((ph) => !byPhid.some((p) => p.phid === ph)),
        ...tags.filter((t) => !byTag.has(t)).map((t) => `#${t}`),
      ];
      if (missing.length) throw new FieldProblem(field, `There is no project ${missing.map((m) => `"${m}"`).join(', ')}.`);
      return [...byId, ...byPhid, ...byTag.values()];
    },
    async column(ref, field) {
      let column: BoardColumn | undefined;
      if (typeof ref === 'number' && Number.isInteger(ref)) [column] = await findColumnsByIds(trx, [ref]);
      else if (typeof ref === 'string' && ref.startsWith('PHID-')) [column] = await findColumnsByPhids(trx, [ref]);
      else if (typeof ref === 'string' && parseRowId(ref.trim()) !== null) [column] = await findColumnsByIds(trx, [parseRowId(ref.trim())!]);
      if (!column) throw new FieldProblem(field, 'There is no such column.');
      const [project] = await findProjectsByIds(trx, [column.projectId]);
      return { column, project: project! };
    },
  };
}
