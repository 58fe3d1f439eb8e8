import type { Request, Response } from 'express';
import { NotFoundError, ValidationError } from '../../errors';
import { applyEdit } from '../../tasks/editor';
import type { Change } from '../../tasks/events/types';
import { loadHovercard, loadTaskDetail, loadTaskForEdit, quoteComment } from '../../tasks/read';
import { parseTaskId } from '../../tasks/task';
import { splitHashtags } from '../../projects/project';
import type { User } from '../../users/user';
import { domainOf, type AppDeps } from '../deps';
import { CommentForm, SubscribeForm, TaskForm, TaskFormDefaults, parseForm } from '../forms';
import { formProblem, requireCapability, requireViewer, taskIdParam } from '../guards';
import { copiedFieldValues, loadTaskFieldValues } from '../../fields/read';
import { fieldDetails } from '../../fields/show';
import { fieldChanges } from '../field-inputs';
import { keptHtml, pageKey, type Rendered } from '../kept-html';
import { renderFragment, renderKeptPage, renderPage } from '../render';
import { fieldControlNames, fieldInputsModel } from '../views/custom-fields';
import { hovercardModel } from '../views/hovercard';
import { openSubtasksOf } from '../../tasks/graph/graph';
import { taskFormModel } from '../views/task-form';
import { openSubtasksWarning } from '../views/task-graph';
import { taskPageModel, type FormState } from '../views/task-page';

/**
 * The form's tags against those it was loaded with: what this person added and removed, so that a
 * tag someone else added meanwhile stays.
 */
function tagChanges(now: string, was: string | undefined) {
  const tags = splitHashtags(now);
  if (was === undefined) return { set: tags };
  const before = splitHashtags(was);
  return { add: tags.filter((t) => !before.includes(t)), remove: before.filter((t) => !tags.includes(t)) };
}

/** Form fields to changes: only the fields present in the POST become changes. */
function taskFormChanges(form: ReturnType<typeof TaskForm.parse>, isCreate = false): Change[] {
  const changes: Change[] = [];
  for (const type of ['title', 'description', 'status', 'priority', 'owner', 'view', 'points'] as const) {
    if (form[type] !== undefined) changes.push({ type, value: form[type] });
  }
  if (form.projects !== undefined) changes.push({ type: 'projects', value: tagChanges(form.projects, form.projectsWas) });
  if (form.dueDate !== undefined || form.dueTime !== undefined) changes.push({ type: 'due', value: { date: form.dueDate, time: form.dueTime } });
  const parents = isCreate ? (form.parent ?? '').split(/[\s,]+/).filter(Boolean) : [];
  if (parents.length) changes.push({ type: 'parents', value: { add: parents } });
  return changes;
}

export function taskRoutes(deps: AppDeps) {
  const domain = domainOf(deps);

  /**
   * The task page, kept across requests for its viewer and their CSRF token, which its forms carry,
   * while the tasks it shows and what is no task's are unchanged (keptHtml); a page showing a
   * person's refused or quoted input is rendered every time.
   */
  async function renderTask(req: Request, res: Response, id: number, form?: FormState, status = 200) {
    const render = async (): Promise<Rendered<{ title: string }>> => {
      const detail = await loadTaskDetail(deps.db, deps.tracker, req.viewer, id);
      const fields = fieldDetails(deps.tracker, detail.fields.values, detail.fields.userName);
      const model = { ...taskPageModel(detail, req.viewer, deps.tracker, deps.config, form), mute: req.viewer ? { muted: detail.muted } : null, fields };
      const html = await renderFragment(req, 'pages/tasks/view', model);
      const shown = detail.shownTasks ? { tasks: detail.shownTasks } : {};
      return { html, facts: { title: `${model.task.monogram} ${detail.task.title}` }, staleAt: form ? 0 : model.staleAt, ...shown };
    };
    const page = form ? await render() : await keptHtml(deps.db, deps.config.pageCacheBytes, pageKey(req, 'task', id), render);
    renderKeptPage(req, res, page.facts.title, page.html, status);
  }

  async function renderForm(req: Request, res: Response, id: number | null, form?: FormState, status = 200) {
    const viewer = requireViewer(req);
    const target = id === null ? null : await loadTaskForEdit(deps.db, viewer, id);
    const template = id === null ? parseTaskId(String(form?.input?.template ?? '')) : null;
    const fields = id !== null ? await loadTaskFieldValues(deps.db, id) : template ? await copiedFieldValues(deps.db, deps.tracker, viewer, template) : null;
    const fieldInputs = fieldInputsModel(deps.tracker, fields?.values ?? null, fields?.userName ?? String, form?.input, form?.errors ?? {});
    const model = { ...taskFormModel(deps.tracker, viewer, target, form, fieldControlNames(deps.tracker)), fields: fieldInputs };
    const open = target && !deps.tracker.isClosed(target.task.status) ? await openSubtasksOf(deps.db, deps.tracker, viewer, target.task.id) : [];
    const subtaskWarning = target ? openSubtasksWarning(deps.tracker, target.task.id, open.length) : null;
    renderPage(req, res, 'pages/tasks/edit', model.heading, { ...model, subtaskWarning }, status);
  }

  /** Runs an edit; refused input re-renders the page with the person's input and the problems. */
  async function submit(req: Request, res: Response, edit: () => Promise<string>, rerender: (form: FormState, status: number) => Promise<void>) {
    try {
      res.redirect(303, await edit());
    } catch (err) {
      const problem = formProblem(err);
      if (!problem) throw err;
      await rerender({ input: req.body, errors: problem.errors }, problem.status);
    }
  }

  /**
   * A POST from the task page: its changes applied as one submission, refusals shown on the page.
   * `mustChange`: a submission that changed nothing is refused with the form kept, not silently accepted.
   */
  async function taskAction(req: Request, res: Response, changesOf: (viewer: User) => Change[], mustChange = false) {
    const id = taskIdParam(req);
    const viewer = requireViewer(req);
    await submit(
      req,
      res,
      async () => {
        const { events } = await applyEdit(domain, viewer, id, changesOf(viewer), { source: 'web' });
        if (mustChange && !events.length) throw new ValidationError({ form: 'That changed nothing.' });
        return `/T${id}`;
      },
      (form, status) => renderTask(req, res, id, form, status),
    );
  }

  return {
    async show(req: Request, res: Response) {
      const id = taskIdParam(req);
      // ?quote=ID starts a reply quoting that comment: the no-JavaScript path of the Quote action.
      const quoteId = typeof req.query.quote === 'string' ? parseTaskId(req.query.quote) : null;
      const quote = quoteId && req.viewer ? await quoteComment(deps.db, req.viewer, id, quoteId) : null;
      await renderTask(req, res, id, quote ? { input: { comment: quote } } : undefined);
    },

    async quote(req: Request, res: Response) {
      const id = taskIdParam(req);
      const eventId = parseTaskId(String(req.params.eventId ?? ''));
      const text = eventId ? await quoteComment(deps.db, req.viewer, id, eventId) : null;
      if (text === null) throw new NotFoundError();
      res.type('text/plain').send(text);
    },

    async hovercard(req: Request, res: Response) {
      const card = await loadHovercard(deps.db, req.viewer, taskIdParam(req));
      res.render('pages/tasks/hovercard', { layout: false, ...hovercardModel(card, deps.tracker) });
    },

    async comment(req: Request, res: Response) {
      await taskAction(req, res, () => {
        const form = parseForm(CommentForm, req.body);
        const changes: Change[] = [];
        if (form.comment?.trim()) changes.push({ type: 'comment', value: form.comment });
        // In the comment form an empty picker means "keep": only chosen actions change anything.
        for (const type of ['status', 'priority', 'owner', 'points'] as const) {
          if (form[type]?.trim()) changes.push({ type, value: form[type] });
        }
        if (form.dueDate?.trim() || form.dueTime?.trim()) changes.push({ type: 'due', value: { date: form.dueDate, time: form.dueTime } });
        else if (form.dueRemove) changes.push({ type: 'due', value: null });
        const add = splitHashtags(form.addProjects ?? '');
        const remove = splitHashtags(form.removeProjects ?? '');
        if (add.length || remove.length) changes.push({ type: 'projects', value: { add, remove } });
        const moves = form.column.filter((c) => c.trim()).map((column) => ({ column: column.trim() }));
        if (moves.length) changes.push({ type: 'column', value: moves });
        if (!changes.length) throw new ValidationError({ comment: 'You can not post an empty comment.' });
        return changes;
      }, true);
    },

    async claim(req: Request, res: Response) {
      await taskAction(req, res, (viewer) => [{ type: 'owner', value: viewer.id }]);
    },

    async subscribe(req: Request, res: Response) {
      await taskAction(req, res, (viewer) => {
        const { action } = parseForm(SubscribeForm, req.body);
        return [{ type: 'subscribers', value: action === 'subscribe' ? { add: [viewer.id] } : { remove: [viewer.id] } }];
      });
    },

    async newForm(req: Request, res: Response) {
      requireCapability(req, 'task.create', 'You do not have permission to create tasks.');
      const defaults = TaskFormDefaults.parse(req.query ?? {});
      await renderForm(req, res, null, { input: Object.fromEntries(Object.entries(defaults).filter(([, v]) => v !== undefined)) });
    },

    async create(req: Request, res: Response) {
      const viewer = requireCapability(req, 'task.create', 'You do not have permission to create tasks.');
      await submit(
        req,
        res,
        async () => {
          const form = parseForm(TaskForm, req.body);
          const changes = [...taskFormChanges(form, true), ...fieldChanges(deps.tracker, req.body)];
          const { taskId } = await applyEdit(domain, viewer, null, changes, { source: 'web' });
          return `/T${taskId}`;
        },
        (form, status) => renderForm(req, res, null, form, status),
      );
    },

    async editForm(req: Request, res: Response) {
      const id = taskIdParam(req);
      requireCapability(req, 'task.edit', 'You do not have permission to edit tasks.');
      await renderForm(req, res, id);
    },

    async update(req: Request, res: Response) {
      const id = taskIdParam(req);
      const viewer = requireViewer(req);
      await submit(
        req,
        res,
        async () => {
          const form = parseForm(TaskForm, req.body);
          const changes = [...taskFormChanges(form), ...fieldChanges(deps.tracker, req.body)];
          await applyEdit(domain, viewer, id, changes, { source: 'web', baseVersion: form.version });
          return `/T${id}`;
        },
        (form, status) => renderForm(req, res, id, form, status),
      );
    },
  };
}
