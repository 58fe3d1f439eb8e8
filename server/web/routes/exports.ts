import type { Request, Response } from 'express';
import { NotFoundError } from '../../errors';
import { allTasks } from '../../search/engine';
import { parseQueryParams, type QueryParams } from '../../search/params';
import type { FoundTask } from '../../search/repository';
import { findNamedQuery } from '../../search/saved/queries';
import { findUsersByIds } from '../../users/repository';
import { loadExportedFields } from '../../fields/read';
import type { AppDeps } from '../deps';
import { readsFor } from '../replica';
import { queryParamsOf, siteUrl } from '../request-url';
import { CONTENT_TYPES, encoders, exportColumns, exportFileName, exportRow, isExportFormat, type ExportFormat } from '../views/export';

/** Rows are written this many at a time, with their people loaded in one query. */
const CHUNK = 1000;

async function* chunks<T>(items: AsyncIterable<T>, size: number): AsyncGenerator<T[]> {
  let chunk: T[] = [];
  for await (const item of items) {
    chunk.push(item);
    if (chunk.length === size) {
      yield chunk;
      chunk = [];
    }
  }
  if (chunk.length) yield chunk;
}

/** Writes with backpressure: waits for 'drain' when the socket's buffer is full. False once the client has gone. */
async function write(res: Response, text: string): Promise<boolean> {
  if (res.destroyed) return false;
  if (res.write(text)) return true;
  await new Promise<void>((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
  return !res.destroyed;
}

export function exportRoutes(deps: AppDeps) {
  function formatOf(req: Request): ExportFormat {
    const format = String(req.params.format ?? '');
    if (!isExportFormat(format)) throw new NotFoundError('Exports come as .csv or .json.');
    return format;
  }

  /**
   * Streams every result of the query, in its order, in keyset batches: memory
   * stays flat whatever the size. A problem with the query is a page with the
   * message; once rows flow, a failure cuts the download short rather than
   * ending it as if it were complete.
   */
  async function stream(req: Request, res: Response, key: string | null, params: QueryParams, format: ExportFormat) {
    const reads = readsFor(deps, req);
    const query = await parseQueryParams(reads, deps.tracker, req.viewer, params, deps.config.timezone);
    const tasks = allTasks(reads, deps.tracker, req.viewer, query);
    const encoder = encoders(exportColumns(deps.tracker))[format];
    const baseUrl = siteUrl(req);
    res.status(200);
    res.setHeader('Content-Type', CONTENT_TYPES[format]);
    res.setHeader('Content-Disposition', `attachment; filename="${exportFileName(key, format)}"`);
    res.setHeader('Cache-Control', 'private, no-store');
    try {
      if (!(await write(res, encoder.start))) return;
      let first = true;
      for await (const chunk of chunks<FoundTask>(tasks, CHUNK)) {
        const users = await findUsersByIds(reads, chunk.flatMap((t) => (t.ownerId ? [t.ownerId, t.authorId] : [t.authorId])));
        const fields = await loadExportedFields(reads, deps.tracker, chunk.map((t) => t.id));
        let text = '';
        for (const t of chunk) {
          text += encoder.row(exportRow(t, users, deps.tracker, baseUrl, { values: fields.values.get(t.id) ?? {}, userName: fields.userName }), first);
          first = false;
        }
        if (!(await write(res, text))) return;
      }
      if (await write(res, encoder.end)) res.end();
    } catch (err) {
      if (res.headersSent) res.destroy();
      throw err;
    }
  }

  return {
    /** /maniphest/query/export.csv?… : the filter form's parameters, as in the list's URL. */
    async custom(req: Request, res: Response) {
      await stream(req, res, null, queryParamsOf(req), formatOf(req));
    },

    /** /maniphest/query/<key>/export.json: a built-in query, or one of the viewer's saved ones. */
    async named(req: Request, res: Response) {
      const format = formatOf(req);
      const q = await findNamedQuery(deps.db, req.viewer, String(req.params.key ?? ''));
      if (!q) throw new NotFoundError('There is no such query.');
      if (q.needsLogin && !req.viewer) return res.redirect(303, `/login?next=${encodeURIComponent(req.originalUrl)}`);
      await stream(req, res, q.key, q.params, format);
    },
  };
}
