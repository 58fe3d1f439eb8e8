import type { Request, Response } from 'express';
import { NotFoundError, ValidationError } from '../../errors';
import { BUILTIN_QUERIES, builtinQuery } from '../../search/builtin';
import { QueryError, searchTasks, type SearchPage } from '../../search/engine';
import { PARAM_NAMES, parseQueryParams, type QueryParams } from '../../search/params';
import type { TaskQuery } from '../../search/query';
import { taskJump } from '../../search/text';
import { can } from '../../users/roles';
import type { AppDeps } from '../deps';
import { renderPage } from '../render';
import { queryFormModel } from '../views/query-form';
import { searchResultsModel } from '../views/search-results';

/** Only the query's own parameters: the part of a URL worth sharing. Checkboxes repeat a name; their values join with commas. */
function pickParams(source: Record<string, unknown>): QueryParams {
  const params: Record<string, unknown> = {};
  for (const name of PARAM_NAMES) {
    const v = source[name];
    const value = Array.isArray(v) && v.every((x) => typeof x === 'string') ? v.join(',') : v;
    if (value !== undefined && value !== '') params[name] = value;
  }
  return params as QueryParams;
}

function cursorOf(req: Request): { after?: string; before?: string } {
  const c: { after?: string; before?: string } = {};
  if (typeof req.query.after === 'string') c.after = req.query.after;
  if (typeof req.query.before === 'string') c.before = req.query.before;
  if (req.query.after !== undefined && typeof req.query.after !== 'string') c.after = '!';
  if (req.query.before !== undefined && typeof req.query.before !== 'string') c.before = '!';
  return c;
}

export function listRoutes(deps: AppDeps) {
  async function run(req: Request, res: Response, opts: { title: string; key: string | null; params: QueryParams; basePath: string }) {
    if (opts.params.text && taskJump(opts.params.text)) return res.redirect(303, `/T${taskJump(opts.params.text)}`);
    let errors: Record<string, string> = {};
    let query: TaskQuery | null = null;
    let page: SearchPage | null = null;
    try {
      query = await parseQueryParams(deps.db, deps.tracker, req.viewer, opts.params);
      page = await searchTasks(deps.db, deps.tracker, req.viewer, query, cursorOf(req));
    } catch (err) {
      if (err instanceof ValidationError) errors = err.fields;
      else if (err instanceof QueryError) errors = { [err.field ?? 'form']: err.message };
      else throw err;
    }
    const own = new URLSearchParams(opts.key ? {} : (opts.params as Record<string, string>));
    const pageUrl = (cursor: string, dir: 'after' | 'before') => {
      const u = new URLSearchParams(own);
      u.set(dir, cursor);
      return `${opts.basePath}?${u.toString()}`;
    };
    const viewer = req.viewer;
    renderPage(
      req,
      res,
      'pages/tasks/search',
      opts.title,
      {
        heading: opts.title,
        nav: BUILTIN_QUERIES.filter((q) => viewer || !q.needsLogin).map((q) => ({
          name: q.name,
          url: `/maniphest/query/${q.key}/`,
          active: q.key === opts.key,
        })),
        form: queryFormModel(opts.params, deps.tracker, errors),
        formOpen: Object.keys(errors).length > 0 || !opts.key,
        formError: errors.form ?? null,
        results: page && query ? searchResultsModel(page, query.group, deps.tracker, deps.config, pageUrl) : null,
        canCreate: can(viewer, 'task.create'),
        shareUrl: opts.key ? `/maniphest/query/${opts.key}/` : `/maniphest/query/?${own.toString()}`,
      },
      Object.keys(errors).length ? 400 : 200,
    );
  }

  async function builtin(req: Request, res: Response, key: string) {
    const q = builtinQuery(key);
    if (!q) throw new NotFoundError('There is no such query.');
    if (q.needsLogin && !req.viewer) return res.redirect(303, `/login?next=${encodeURIComponent(req.originalUrl)}`);
    await run(req, res, { title: q.name, key: q.key, params: q.params, basePath: `/maniphest/query/${q.key}/` });
  }

  return {
    /** Assigned for a logged-in person, Open Tasks for everyone else. */
    async home(req: Request, res: Response) {
      await builtin(req, res, req.viewer ? 'assigned' : 'open');
    },

    async named(req: Request, res: Response) {
      await builtin(req, res, String(req.params.key ?? ''));
    },

    async custom(req: Request, res: Response) {
      const params = pickParams(req.query as Record<string, unknown>);
      await run(req, res, { title: 'Search Results', key: null, params, basePath: '/maniphest/query/' });
    },
  };
}
