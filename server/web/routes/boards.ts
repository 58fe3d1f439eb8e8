import type { Request, Response } from 'express';
import { z } from 'zod';
import { parseRowId } from '../../db/ids';
import { AppError, NotFoundError, ValidationError } from '../../errors';
import { BOARD_ORDERS, loadBoard, loadColumnsPage, type BoardOrder } from '../../projects/board';
import { findColumns, findColumnsByIds } from '../../projects/board-repository';
import { findTaskColumns } from '../../projects/card-repository';
import { viewTask, visibleVersion } from '../../tasks/read';
import { addColumn, ColumnInput, deleteColumn, editColumn, moveColumn, setColumnHidden, setDefaultColumn } from '../../projects/columns';
import { findProjectOr404, mayEdit } from '../../projects/read';
import { parseQueryParams } from '../../search/params';
import { applyEdit } from '../../tasks/editor';
import type { Change } from '../../tasks/events/types';
import { parseTaskId } from '../../tasks/task';
import { domainOf, type AppDeps } from '../deps';
import { parseForm } from '../forms';
import { formProblem, requireViewer } from '../guards';
import { renderPage } from '../render';
import { queryParamsOf } from '../request-url';
import { boardModel, moveFormModel } from '../views/board';
import { columnsPageModel } from '../views/board-columns';
import type { FormState } from '../views/task-page';

const id = z.string({ error: 'Send this field once, as text.' }).regex(/^[0-9]{1,10}$/, 'This is not an id.');

/** A card move from the board: the no-JavaScript form and drag and drop post the same fields. */
const MoveForm = z.object({
  task: id,
  column: id,
  after: id.optional().or(z.literal('')),
  before: id.optional().or(z.literal('')),
  priority: z.string({ error: 'Send the priority once, as text.' }).optional(),
  version: id.optional(),
  overLimit: z.enum(['', '1']).optional(),
  back: z.string().max(4000).optional(),
});

const HideForm = z.object({ hidden: z.enum(['true', 'false'], { error: 'Say whether to hide or show the column.' }) });
const DirectionForm = z.object({ direction: z.enum(['left', 'right'], { error: 'Choose to move the column left or right.' }) });

export function boardRoutes(deps: AppDeps) {
  const domain = domainOf(deps);
  const projectOf = (req: Request) => findProjectOr404(deps.db, parseRowId(String(req.params.id ?? '')));
  const columnIdOf = (req: Request) => {
    const col = parseRowId(String(req.params.column ?? ''));
    if (col === null) throw new AppError(404, 'not-found', 'This board has no such column.');
    return col;
  };
  const wantsJson = (req: Request) => req.accepts(['html', 'json']) === 'json';

  async function renderColumns(req: Request, res: Response, projectId: number, form?: FormState & { column?: number }, status = 200) {
    const project = await findProjectOr404(deps.db, projectId);
    const board = await loadColumnsPage(deps.db, req.viewer, project);
    renderPage(req, res, 'pages/projects/columns', `Columns of ${project.name}`, columnsPageModel(board, deps.tracker, form), status);
  }

  /** A column edit: members only; a refusal re-renders the columns page with the problem beside that column. */
  async function columnAction(req: Request, res: Response, work: (projectId: number) => Promise<unknown>) {
    const viewer = requireViewer(req);
    const project = await projectOf(req);
    if (!(await mayEdit(deps.db, viewer, project))) throw new AppError(403, 'forbidden', 'Only members of this project (and maintainers) may edit its board.');
    try {
      await work(project.id);
      res.redirect(303, `/project/board/${project.id}/columns/`);
    } catch (err) {
      const problem = formProblem(err);
      if (!problem) throw err;
      const column = req.params.column ? parseRowId(String(req.params.column)) : null;
      await renderColumns(req, res, project.id, { input: req.body, errors: problem.errors, column: column ?? undefined }, problem.status);
    }
  }

  return {
    async show(req: Request, res: Response) {
      const project = await projectOf(req);
      const params = queryParamsOf(req);
      const order = (BOARD_ORDERS as readonly string[]).includes(String(req.query.order)) ? (req.query.order as BoardOrder) : 'natural';
      const query = await parseQueryParams(deps.db, deps.tracker, req.viewer, { ...params, order: undefined, group: undefined, limit: undefined }, deps.config.timezone);
      const [board, canEdit] = await Promise.all([loadBoard(deps.db, req.viewer, project, query.filter), mayEdit(deps.db, req.viewer, project)]);
      const search = new URL(req.originalUrl, 'http://trellis').search.slice(1);
      const model = boardModel(board, deps.tracker, order, search);
      renderPage(req, res, 'pages/projects/board', `${project.name} Workboard`, { ...model, canEdit, filterText: params.text ?? '' });
    },

    async moveForm(req: Request, res: Response) {
      requireViewer(req);
      const project = await projectOf(req);
      const taskId = parseTaskId(String(req.query.task ?? ''));
      if (taskId === null) throw new NotFoundError();
      const task = await viewTask(deps.db, req.viewer, taskId);
      const [columns, placement, version] = await Promise.all([findColumns(deps.db, [project.id]), findTaskColumns(deps.db, taskId), visibleVersion(deps.db, req.viewer, taskId)]);
      const base = `/project/board/${project.id}/`;
      const back = typeof req.query.back === 'string' && req.query.back.startsWith(base) ? req.query.back : base;
      const model = moveFormModel({ id: project.id, name: project.name }, task, columns, placement[String(project.id)] ?? null, version, back);
      renderPage(req, res, 'pages/projects/move-form', `Move T${task.id}`, model);
    },

    async move(req: Request, res: Response) {
      const viewer = requireViewer(req);
      const project = await projectOf(req);
      const form = parseForm(MoveForm, req.body);
      const base = `/project/board/${project.id}/`;
      const back = form.back?.startsWith(base) ? form.back : base;
      try {
        const [column] = await findColumnsByIds(deps.db, [Number(form.column)]);
        if (!column || column.projectId !== project.id) throw new ValidationError({ column: `This column is not on the #${project.hashtags[0]} board.` });
        const changes: Change[] = [
          { type: 'column', value: { column: column.id, after: form.after || undefined, before: form.before || undefined, overLimit: form.overLimit === '1' } },
        ];
        if (form.priority) changes.push({ type: 'priority', value: form.priority });
        await applyEdit(domain, viewer, parseTaskId(form.task) ?? 0, changes, { source: 'web', baseVersion: form.version ? Number(form.version) : undefined });
        if (wantsJson(req)) res.json({ ok: true });
        else res.redirect(303, back);
      } catch (err) {
        const problem = err instanceof AppError ? { status: err.status, code: err.code, message: err.message } : null;
        if (!problem) throw err;
        const confirm = problem.code === 'column-over-limit';
        if (wantsJson(req)) {
          res.status(problem.status).json({ ok: false, code: problem.code, error: problem.message, confirm });
          return;
        }
        renderPage(req, res, 'pages/projects/move', 'Move Card', {
          message: problem.message,
          confirm,
          moveUrl: `${base}move`,
          fields: { ...form, overLimit: '1', back },
          back,
        }, problem.status);
      }
    },

    async columns(req: Request, res: Response) {
      const project = await projectOf(req);
      if (!(await mayEdit(deps.db, requireViewer(req), project))) throw new AppError(403, 'forbidden', 'Only members of this project (and maintainers) may edit its board.');
      await renderColumns(req, res, project.id);
    },

    addColumn: (req: Request, res: Response) => columnAction(req, res, (p) => addColumn(deps.db, deps.tracker, requireViewer(req), p, parseForm(ColumnInput, req.body))),
    editColumn: (req: Request, res: Response) =>
      columnAction(req, res, (p) => editColumn(deps.db, deps.tracker, requireViewer(req), p, columnIdOf(req), parseForm(ColumnInput, req.body))),
    hideColumn: (req: Request, res: Response) =>
      columnAction(req, res, (p) => setColumnHidden(deps.db, deps.tracker, requireViewer(req), p, columnIdOf(req), parseForm(HideForm, req.body).hidden === 'true')),
    moveColumn: (req: Request, res: Response) => columnAction(req, res, (p) => moveColumn(deps.db, requireViewer(req), p, columnIdOf(req), parseForm(DirectionForm, req.body).direction)),
    defaultColumn: (req: Request, res: Response) => columnAction(req, res, (p) => setDefaultColumn(deps.db, deps.tracker, requireViewer(req), p, columnIdOf(req))),
    deleteColumn: (req: Request, res: Response) => columnAction(req, res, (p) => deleteColumn(deps.db, deps.tracker, requireViewer(req), p, columnIdOf(req))),
  };
}
