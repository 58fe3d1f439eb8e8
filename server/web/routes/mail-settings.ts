import type { Request, Response } from 'express';
import { MAIL_TAGS, MAIL_TAG_NAMES, type MailPreferences } from '../../mail/preferences';
import { findPreferences, savePreferences, setMuted } from '../../mail/preferences-repository';
import { viewTask } from '../../tasks/read';
import type { User } from '../../users/user';
import type { AppDeps } from '../deps';
import { parseForm } from '../forms';
import { formProblem, requireViewer, taskIdParam } from '../guards';
import { MailPreferencesForm, MuteForm } from '../mail-forms';
import { renderPage } from '../render';

/** The form as shown: saved choices, or what was typed when it was refused. */
function preferencesModel(p: MailPreferences, input: Record<string, unknown> | null, errors: Record<string, string>, saved: boolean) {
  const typed = (key: string) => (input && typeof input[key] === 'string' ? (input[key] as string) : null);
  const enabled = typed('enabled') ?? (p.enabled ? 'on' : 'off');
  const self = typed('selfActions') ?? (p.selfActions ? 'send' : 'skip');
  return {
    saved,
    errors,
    enabledOn: enabled === 'on',
    selfSend: self === 'send',
    digestMinutes: typed('digestMinutes') ?? (p.digestMinutes === null ? '' : String(p.digestMinutes)),
    tags: MAIL_TAGS.map((tag) => {
      const value = typed(`tag_${tag}`) ?? (p.ignored.includes(tag) ? 'ignore' : 'email');
      return { name: `tag_${tag}`, label: MAIL_TAG_NAMES[tag], email: value !== 'ignore', ignore: value === 'ignore' };
    }),
  };
}

export function mailSettingsRoutes(deps: AppDeps) {
  async function render(req: Request, res: Response, viewer: User, input: Record<string, unknown> | null, errors: Record<string, string>, status = 200) {
    const prefs = await findPreferences(deps.db, viewer.id);
    renderPage(req, res, 'pages/settings/mail', 'Email Preferences', preferencesModel(prefs, input, errors, req.query.saved === '1'), status);
  }

  return {
    async show(req: Request, res: Response) {
      if (!req.viewer) return res.redirect(303, `/login?next=${encodeURIComponent('/settings/mail/')}`);
      await render(req, res, req.viewer, null, {});
    },

    async save(req: Request, res: Response) {
      const viewer = requireViewer(req);
      try {
        await savePreferences(deps.db, viewer.id, parseForm(MailPreferencesForm, req.body));
        res.redirect(303, '/settings/mail/?saved=1');
      } catch (err) {
        const problem = formProblem(err);
        if (!problem) throw err;
        await render(req, res, viewer, req.body as Record<string, unknown>, problem.errors, problem.status);
      }
    },

    /** Mute Notifications: no more mail about this task, whatever changes, until unmuted. */
    async mute(req: Request, res: Response) {
      const viewer = requireViewer(req);
      const id = taskIdParam(req);
      await viewTask(deps.db, viewer, id);
      const { action } = parseForm(MuteForm, req.body);
      await setMuted(deps.db, viewer.id, id, action === 'mute');
      res.redirect(303, `/T${id}`);
    },
  };
}
