import { z } from 'zod';
import { findColumns, findColumnsByIds, findColumnsByPhids, type BoardColumn } from '../../projects/board-repository';
import { findProjectsByIds, findProjectsByPhids } from '../../projects/repository';
import { defineMethod } from '../method';
import { checkPageSize, INT4_MAX, intList, pageSize, phpMap, textList } from '../params';

const Params = z
  .object({
    constraints: phpMap(
      z
        .object(
          { ids: intList('column ID', 1, INT4_MAX).optional(), phids: textList('column PHID').optional(), projects: textList('project PHID').optional() },
          { error: 'must be a map of constraints.' },
        )
        .strict(),
    ).optional(),
    limit: pageSize.optional(),
  })
  .strict();

export const projectColumnSearch = defineMethod({
  name: 'project.column.search',
  summary: "Find workboard columns: a board's columns in order, with the status each is bound to and its card limit.",
  needsToken: true,
  params: Params,
  docs: [
    { name: 'constraints', type: 'optional map<string, wild>', description: 'ids, phids (columns); projects (project PHIDs: their boards\' columns, in board order).' },
    { name: 'limit', type: 'optional int', description: 'Results per page, 1 to 100; 100 if not given.' },
  ],
  example: { constraints: { projects: ['PHID-PROJ-…'] } },
  async call({ db, tracker }, p) {
    const c = p.constraints ?? {};
    const limit = checkPageSize(p.limit);
    let columns: BoardColumn[] = [];
    if (c.projects) columns = await findColumns(db, (await findProjectsByPhids(db, c.projects)).map((x) => x.id));
    if (c.ids) columns = c.projects ? columns.filter((col) => c.ids!.includes(col.id)) : await findColumnsByIds(db, c.ids);
    if (c.phids) columns = c.projects || c.ids ? columns.filter((col) => c.phids!.includes(col.phid)) : await findColumnsByPhids(db, c.phids);
    columns = columns.slice(0, limit);
    const projects = new Map((await findProjectsByIds(db, columns.flatMap((col) => [col.projectId, ...(col.proxyProjectId ? [col.proxyProjectId] : [])]))).map((x) => [x.id, x]));
    return {
      data: columns.map((col) => {
        const board = projects.get(col.projectId)!;
        return {
          id: col.id,
          type: 'PCOL',
          phid: col.phid,
          fields: {
            name: col.name,
            proxyPHID: col.proxyProjectId ? (projects.get(col.proxyProjectId)?.phid ?? null) : null,
            project: { id: board.id, phid: board.phid, name: board.name },
            isDefaultColumn: col.isDefault,
            isHidden: col.hidden,
            sequence: col.sequence,
            status: col.status ? { value: col.status, name: tracker.statusName(col.status) } : null,
            limit: col.wipLimit,
            isLimitStrict: col.wipStrict,
          },
          attachments: {},
        };
      }),
      maps: {},
      query: { queryKey: null },
      cursor: { limit, after: null, before: null, order: null },
    };
  },
});
