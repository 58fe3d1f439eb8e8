import type { Request, Response } from 'express';
import { NotFoundError, ValidationError } from '../../errors';
import { applyEdit } from '../../tasks/editor';
import { RELATIONSHIPS, findPickerTasks, isRelationship, loadPicker, type Relationship } from '../../tasks/graph/picker';
import { parseTaskRef } from '../../tasks/events/task-refs';
import { FieldProblem } from '../../tasks/events/types';
import { domainOf, type AppDeps } from '../deps';
import { RelatedForm, parseForm } from '../forms';
import { formProblem, requireViewer, taskIdParam } from '../guards';
import { renderPage } from '../render';
import { pickerModel } from '../views/picker';
import type { FormState } from '../views/task-page';

function relationshipParam(req: Request): Relationship {
  const key = String(req.params.relationship ?? '');
  if (!isRelationship(key)) throw new NotFoundError();
  return key;
}

const queryText = (v: unknown) => (typeof v === 'string' ? v.slice(0, 200) : '');

/** Form ids as task ids; a malformed one is the form's problem, not a server error. */
function ids(values: string[]): number[] {
  try {
    return values.map((v) => parseTaskRef(v, 'form'));
  } catch (err) {
    if (err instanceof FieldProblem) throw new ValidationError({ form: err.message });
    throw err;
  }
}

/** Edit Parent Tasks, Edit Subtasks, Merge Duplicates In, Close As Duplicate: a picker and its save. */
export function relatedRoutes(deps: AppDeps) {
  const domain = domainOf(deps);

  async function render(req: Request, res: Response, relationship: Relationship, q: string, form?: FormState, status = 200) {
    const viewer = requireViewer(req);
    const page = await loadPicker(deps.db, deps.tracker, viewer, taskIdParam(req), relationship, q);
    const model = pickerModel(page, relationship, deps.tracker, q, form);
    renderPage(req, res, 'pages/tasks/related', `${model.heading}: ${model.task.monogram}`, model, status);
  }

  return {
    async form(req: Request, res: Response) {
      await render(req, res, relationshipParam(req), queryText(req.query.q));
    },

    async save(req: Request, res: Response) {
      const relationship = relationshipParam(req);
      const id = taskIdParam(req);
      const viewer = requireViewer(req);
      // The page itself answers 404 or 403 before any input is read.
      await loadPicker(deps.db, deps.tracker, viewer, id, relationship, '');
      try {
        const form = parseForm(RelatedForm, req.body);
        const add = ids(form.add);
        const remove = ids(form.remove);
        if (!add.length && !remove.length) {
          throw new ValidationError({ form: relationship === 'task.close-as-duplicate' ? 'Choose the task to merge this one into.' : 'Choose at least one task.' });
        }
        if (relationship === 'task.close-as-duplicate' && add.length > 1) throw new ValidationError({ form: 'Choose one task to merge this one into.' });
        const changes = RELATIONSHIPS[relationship].changes(add, remove);
        await applyEdit(domain, viewer, id, changes, { source: 'web' });
        res.redirect(303, `/T${id}`);
      } catch (err) {
        const problem = formProblem(err);
        if (!problem) throw err;
        await render(req, res, relationship, queryText(req.body?.q), { input: req.body, errors: problem.errors }, problem.status);
      }
    },

    /** Suggestions for the picker's typeahead: the same search as the plain form, as JSON. */
    async typeahead(req: Request, res: Response) {
      const viewer = requireViewer(req);
      const relationship = String(req.query.relationship ?? '');
      const taskId = typeof req.query.task === 'string' ? Number(req.query.task) : NaN;
      if (!isRelationship(relationship) || !Number.isInteger(taskId) || taskId < 1) {
        res.status(400).json({ error: 'Give a relationship and a task.' });
        return;
      }
      const found = await findPickerTasks(deps.db, deps.tracker, viewer, taskId, relationship, queryText(req.query.q));
      res.json({
        results: found.map((t) => ({
          id: t.id,
          monogram: `T${t.id}`,
          title: t.title,
          closed: deps.tracker.isClosed(t.status),
          stateText: deps.tracker.stateText(t),
        })),
      });
    },
  };
}
