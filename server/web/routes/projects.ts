import type { Request, Response } from 'express';
import { z } from 'zod';
import { createMilestone, createProject, setProjectClosed, updateProject } from '../../projects/edit';
import { ProjectInput, MAX_PROJECT_NAME_LENGTH } from '../../projects/project';
import { findProjectByHashtagOr404, findProjectOr404, loadProjectPage, mayEdit } from '../../projects/read';
import { findPeople, listProjects } from '../../projects/repository';
import { parseRowId } from '../../db/ids';
import { withoutNul } from '../../db/text';
import { AppError } from '../../errors';
import { findUsersByIds } from '../../users/repository';
import { can } from '../../users/roles';
import type { AppDeps } from '../deps';
import { parseForm } from '../forms';
import { formProblem, requireCapability, requireViewer } from '../guards';
import { renderPage } from '../render';
import { projectFormModel, projectListModel, projectPageModel, tagModel } from '../views/projects';
import type { FormState } from '../views/task-page';
import { tagOf } from '../../projects/project';

const CloseForm = z.object({ closed: z.enum(['true', 'false'], { error: 'Say whether to close or reopen the project.' }) });
const MilestoneForm = z.object({
  name: z
    .string({ error: 'Send the name once, as text.' })
    .trim()
    .min(1, 'Milestones must have a name.')
    .max(MAX_PROJECT_NAME_LENGTH, `Milestone names are at most ${MAX_PROJECT_NAME_LENGTH} characters.`),
});

export function projectRoutes(deps: AppDeps) {
  const idOf = (req: Request) => parseRowId(String(req.params.id ?? ''));

  async function renderForm(req: Request, res: Response, id: number | null, form?: FormState, status = 200) {
    let target = null;
    if (id !== null) {
      const project = await findProjectOr404(deps.db, id);
      const [members, watchers] = await Promise.all([findPeople(deps.db, 'project_members', project.parentId ?? id), findPeople(deps.db, 'project_watchers', id)]);
      const users = await findUsersByIds(deps.db, [...members, ...watchers]);
      target = { project, members: members.map((u) => users.get(u)!), watchers: watchers.map((u) => users.get(u)!) };
    }
    const model = projectFormModel(target, form);
    renderPage(req, res, 'pages/projects/edit', model.heading, model, status);
  }

  async function renderProject(req: Request, res: Response, id: number, form?: FormState, status = 200) {
    const project = await findProjectOr404(deps.db, id);
    const model = projectPageModel(await loadProjectPage(deps.db, deps.tracker, req.viewer, project), deps.tracker, form);
    renderPage(req, res, 'pages/projects/view', project.name, model, status);
  }

  /** A POST that redirects on success and re-renders its page with the problems otherwise. */
  async function submit(req: Request, res: Response, work: () => Promise<string>, rerender: (form: FormState, status: number) => Promise<void>) {
    try {
      res.redirect(303, await work());
    } catch (err) {
      const problem = formProblem(err);
      if (!problem) throw err;
      await rerender({ input: req.body, errors: problem.errors }, problem.status);
    }
  }

  return {
    async list(req: Request, res: Response) {
      const text = typeof req.query.text === 'string' ? withoutNul(req.query.text).slice(0, 200) : '';
      const closed = req.query.closed === '1';
      const projects = await listProjects(deps.db, { text, closed, limit: 1000 });
      renderPage(req, res, 'pages/projects/list', 'Projects', projectListModel(projects, text, closed, can(req.viewer, 'project.create')));
    },

    async newForm(req: Request, res: Response) {
      requireCapability(req, 'project.create', 'You do not have permission to create projects.');
      await renderForm(req, res, null);
    },

    async create(req: Request, res: Response) {
      const viewer = requireCapability(req, 'project.create', 'You do not have permission to create projects.');
      await submit(
        req,
        res,
        async () => `/project/view/${await createProject(deps.db, viewer, parseForm(ProjectInput, req.body))}/`,
        (form, status) => renderForm(req, res, null, form, status),
      );
    },

    async editForm(req: Request, res: Response) {
      const project = await findProjectOr404(deps.db, idOf(req));
      if (!(await mayEdit(deps.db, requireViewer(req), project))) throw new AppError(403, 'forbidden', 'Only members of this project (and maintainers) may edit it.');
      await renderForm(req, res, project.id);
    },

    async update(req: Request, res: Response) {
      const viewer = requireViewer(req);
      const project = await findProjectOr404(deps.db, idOf(req));
      await submit(
        req,
        res,
        async () => {
          await updateProject(deps.db, viewer, project.id, parseForm(ProjectInput, req.body));
          return `/project/view/${project.id}/`;
        },
        (form, status) => renderForm(req, res, project.id, form, status),
      );
    },

    async show(req: Request, res: Response) {
      await renderProject(req, res, (await findProjectOr404(deps.db, idOf(req))).id);
    },

    async tag(req: Request, res: Response) {
      await renderProject(req, res, (await findProjectByHashtagOr404(deps.db, String(req.params.hashtag ?? ''))).id);
    },

    async hovercard(req: Request, res: Response) {
      const project = await findProjectByHashtagOr404(deps.db, String(req.params.hashtag ?? ''));
      res.render('pages/projects/hovercard', { layout: false, ...tagModel(tagOf(project)), name: project.name, closed: project.closedAt !== null, description: project.description.slice(0, 280) });
    },

    async close(req: Request, res: Response) {
      const viewer = requireViewer(req);
      const project = await findProjectOr404(deps.db, idOf(req));
      const { closed } = parseForm(CloseForm, req.body);
      await setProjectClosed(deps.db, viewer, project.id, closed === 'true');
      res.redirect(303, `/project/view/${project.id}/`);
    },

    async milestone(req: Request, res: Response) {
      const viewer = requireViewer(req);
      const project = await findProjectOr404(deps.db, idOf(req));
      await submit(
        req,
        res,
        async () => `/project/view/${await createMilestone(deps.db, viewer, project.id, parseForm(MilestoneForm, req.body).name)}/`,
        (form, status) => renderProject(req, res, project.id, form, status),
      );
    },
  };
}
