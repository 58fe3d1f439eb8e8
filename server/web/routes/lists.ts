import type { Request, Response } from 'express';
import { NotFoundError, ValidationError } from '../../errors';
import { listTasks, QueryError } from '../../search/engine';
import { parseQueryParams, type QueryParams } from '../../search/params';
import { findNamedQuery, listSavedQueries, paramsFromString, paramsToString, saveQuery, savedAsNamed, type NamedQuery, type SavedQuery } from '../../search/saved/queries';
import { taskJump } from '../../search/text';
import { bulkTargets, planBulkEdit, queueBulkEdit } from '../../tasks/bulk';
import { parseTaskId } from '../../tasks/task';
import { can } from '../../users/roles';
import type { AppDeps } from '../deps';
import { BulkEditForm, SaveQueryForm, parseForm } from '../forms';
import { formProblem, requireCapability, requireViewer } from '../guards';
import { safeLocalUrl } from '../local-url';
import { keptHtml, pageKey, type Rendered } from '../kept-html';
import { renderFragment, renderPage } from '../render';
import { readsFor } from '../replica';
import { queryParamsOf } from '../request-url';
import { bulkFormModel, selectableResults, selectedIds, type BulkFormState } from '../views/bulk-edit';
import { queryFormModel } from '../views/query-form';
import { queryNavModel } from '../views/saved-queries';
import { searchResultsModel } from '../views/search-results';

/** How long saving a bulk edit waits for the runner before showing its page. */
const BULK_WAIT_MS = 1500;

async function settleWithin(work: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([work, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}

function cursorOf(req: Request): { after?: string; before?: string } {
  const c: { after?: string; before?: string } = {};
  if (typeof req.query.after === 'string') c.after = req.query.after;
  if (typeof req.query.before === 'string') c.before = req.query.before;
  if (req.query.after !== undefined && typeof req.query.after !== 'string') c.after = '!';
  if (req.query.before !== undefined && typeof req.query.before !== 'string') c.before = '!';
  return c;
}

interface ListOptions {
  title: string;
  key: string | null;
  params: QueryParams;
  basePath: string;
  /** A refused save or bulk edit, shown on the list with the person's input. */
  save?: { name: string; errors: Record<string, string> };
  bulk?: BulkFormState;
  status?: number;
  /** The viewer's saved queries, when the caller has them already. */
  saved?: SavedQuery[];
}

export function listRoutes(deps: AppDeps) {
  /** The list's query run and its rows as a page shows them; a refused query's problems instead. */
  async function search(
    req: Request,
    opts: ListOptions,
    pageUrl: (cursor: string, dir: 'after' | 'before') => string,
  ): Promise<{ results: ReturnType<typeof searchResultsModel> | null; errors: Record<string, string>; staleAt: number }> {
    const reads = readsFor(deps, req);
    try {
      const query = await parseQueryParams(reads, deps.tracker, req.viewer, opts.params, deps.config.timezone);
      const page = await listTasks(reads, deps.tracker, req.viewer, query, cursorOf(req));
      const results = searchResultsModel(page, query.group, deps.tracker, deps.config, pageUrl, page.withSubtasks);
      return { results, errors: {}, staleAt: Math.min(results.staleAt, query.filter.due?.holdsUntil?.getTime() ?? Infinity) };
    } catch (err) {
      // A refused query is never kept: it is stale from the start.
      if (err instanceof ValidationError) return { results: null, errors: err.fields, staleAt: 0 };
      if (err instanceof QueryError) return { results: null, errors: { [err.field ?? 'form']: err.message }, staleAt: 0 };
      throw err;
    }
  }

  /**
   * Everything of a list's page but the navigation: the query form, the rows, the bulk edit and
   * save forms. Kept across requests while the tracker is unchanged (keptHtml), for the viewer and
   * their CSRF token, which its forms carry; a page showing a refused save or bulk edit is
   * rendered every time.
   */
  async function listSection(req: Request, opts: ListOptions): Promise<Rendered<{ status: number }>> {
    const viewer = req.viewer;
    const own = new URLSearchParams(opts.key ? {} : (opts.params as Record<string, string>));
    const render = async (): Promise<Rendered<{ status: number }>> => {
      const pageUrl = (cursor: string, dir: 'after' | 'before') => {
        const u = new URLSearchParams(own);
        u.set(dir, cursor);
        return `${opts.basePath}?${u.toString()}`;
      };
      const { results, errors, staleAt } = await search(req, opts, pageUrl);
      const hasErrors = Object.keys(errors).length > 0;
      const shareUrl = opts.key ? `/maniphest/query/${opts.key}/` : `/maniphest/query/?${own.toString()}`;
      const exportUrl = (format: string) => (opts.key ? `/maniphest/query/${opts.key}/export.${format}` : `/maniphest/query/export.${format}?${own.toString()}`);
      const bulk = results && !results.empty && viewer && can(viewer, 'task.bulk') ? bulkFormModel(deps.tracker, viewer, paramsToString(opts.params), shareUrl, opts.bulk) : null;
      const html = await renderFragment(req, 'partials/tasks/search-main', {
        heading: opts.title,
        form: queryFormModel(opts.params, deps.tracker, errors),
        formOpen: hasErrors || !opts.key,
        formError: errors.form ?? null,
        results: results && bulk ? selectableResults(results, selectedIds(opts.bulk?.input)) : results,
        bulk,
        save: viewer && (!hasErrors || opts.save) ? { query: paramsToString(opts.params), name: opts.save?.name ?? '', errors: opts.save?.errors ?? {} } : null,
        exportCsvUrl: hasErrors ? null : exportUrl('csv'),
        exportJsonUrl: hasErrors ? null : exportUrl('json'),
        canCreate: can(viewer, 'task.create'),
        shareUrl,
      });
      return { html, facts: { status: opts.status ?? (hasErrors ? 400 : 200) }, staleAt };
    };
    if (opts.bulk || opts.save) return render();
    const cursor = cursorOf(req);
    const key = pageKey(req, 'list', opts.title, opts.key, opts.basePath, paramsToString(opts.params), cursor.after ?? null, cursor.before ?? null);
    return keptHtml(readsFor(deps, req), deps.config.pageCacheBytes, key, render);
  }

  async function run(req: Request, res: Response, opts: ListOptions) {
    const jump = opts.params.text ? taskJump(opts.params.text) : null;
    if (jump) return res.redirect(303, `/T${jump}`);
    const viewer = req.viewer;
    // The navigation's saved queries do not depend on the search: both are asked for at once.
    const [section, saved] = await Promise.all([
      listSection(req, opts),
      opts.saved ?? (viewer ? listSavedQueries(readsFor(deps, req), viewer) : Promise.resolve([])),
    ]);
    renderPage(req, res, 'pages/tasks/search', opts.title, { nav: queryNavModel(viewer, saved, opts.key), mainHtml: section.html }, section.facts.status);
  }

  async function named(req: Request, res: Response, q: NamedQuery | null, saved?: SavedQuery[]) {
    if (!q) throw new NotFoundError('There is no such query.');
    if (q.needsLogin && !req.viewer) return res.redirect(303, `/login?next=${encodeURIComponent(req.originalUrl)}`);
    await run(req, res, { title: q.name, key: q.key, params: q.params, basePath: `/maniphest/query/${q.key}/`, saved });
  }

  /** A list re-rendered around a refused form: the query the form came from, as a custom query. */
  function custom(queryText: unknown): Omit<ListOptions, 'status'> {
    const params = paramsFromString(typeof queryText === 'string' ? queryText : '');
    return { title: 'Search Results', key: null, params, basePath: '/maniphest/query/' };
  }

  return {
    /** A person's first saved query, else Assigned; Open Tasks for visitors. */
    async home(req: Request, res: Response) {
      const saved = req.viewer ? await listSavedQueries(deps.db, req.viewer) : [];
      const first = saved[0];
      await named(req, res, first ? savedAsNamed(first) : await findNamedQuery(deps.db, req.viewer, req.viewer ? 'assigned' : 'open'), saved);
    },

    async named(req: Request, res: Response) {
      await named(req, res, await findNamedQuery(deps.db, req.viewer, String(req.params.key ?? '')));
    },

    /** Saves the list's query under a name and opens it at its own address. */
    async save(req: Request, res: Response) {
      const viewer = requireViewer(req);
      const body = (req.body ?? {}) as Record<string, unknown>;
      try {
        const form = parseForm(SaveQueryForm, body);
        const saved = await saveQuery(deps.db, deps.tracker, viewer, form.name, form.query ?? '', deps.config.timezone);
        res.redirect(303, `/maniphest/query/${saved.key}/`);
      } catch (err) {
        const problem = formProblem(err);
        if (!problem) throw err;
        const name = typeof body.name === 'string' ? body.name : '';
        await run(req, res, { ...custom(body.query), save: { name, errors: problem.errors }, status: problem.status });
      }
    },

    /** Edits the ticked tasks, or every result of the list's query, one editor call per task. */
    async bulk(req: Request, res: Response) {
      const viewer = requireCapability(req, 'task.bulk', 'You do not have permission to edit tasks in bulk.');
      const body = (req.body ?? {}) as Record<string, unknown>;
      try {
        const form = parseForm(BulkEditForm, body);
        const changes = await planBulkEdit(deps.db, deps.tracker, form);
        let ids: number[];
        if (form.scope === 'all') {
          ids = await bulkTargets(deps.db, deps.tracker, viewer, await parseQueryParams(deps.db, deps.tracker, viewer, paramsFromString(form.query ?? ''), deps.config.timezone));
        } else {
          const parsed = form.ids.map((id) => parseTaskId(id));
          if (parsed.includes(null)) throw new ValidationError({ ids: 'The selection is malformed; reload the page and select the tasks again.' });
          ids = parsed as number[];
          if (!ids.length) throw new ValidationError({ ids: 'Select at least one task, or choose to edit all results.' });
        }
        const id = await queueBulkEdit(deps.db, viewer, ids, changes, safeLocalUrl(form.back, '/maniphest/'));
        // A small edit is usually done by the time its page loads; a large one goes on in the background.
        await settleWithin(deps.jobs.kick(), BULK_WAIT_MS);
        res.redirect(303, `/maniphest/bulk/${id}/`);
      } catch (err) {
        const problem = formProblem(err);
        if (!problem) throw err;
        await run(req, res, { ...custom(body.query), bulk: { input: body, errors: problem.errors }, status: problem.status });
      }
    },

    async custom(req: Request, res: Response) {
      await run(req, res, { title: 'Search Results', key: null, params: queryParamsOf(req), basePath: '/maniphest/query/' });
    },
  };
}
