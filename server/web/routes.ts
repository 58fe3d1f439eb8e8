import { Router } from 'express';
import { healthRoutes } from './routes/health';
import type { AppDeps } from './deps';
import { authRoutes } from './routes/auth';
import { bulkEditRoutes } from './routes/bulk-edits';
import { conduitRoutes } from './routes/conduit';
import { exportRoutes } from './routes/exports';
import { listRoutes } from './routes/lists';
import { markupRoutes } from './routes/markup';
import { peopleRoutes } from './routes/people';
import { savedQueryRoutes } from './routes/saved-queries';
import { settingsRoutes } from './routes/settings';
import { accountSettingsRoutes } from './routes/account-settings';
import { mfaSettingsRoutes } from './routes/mfa-settings';
import { signInStepRoutes } from './routes/sign-in-steps';
import { loginLinkRoutes } from './routes/login-links';
import { taskRoutes } from './routes/tasks';

/** The URL map: every route, one line each. Paths follow Phabricator's, so old links keep working. */
export function routes(deps: AppDeps): Router {
  const r = Router({ caseSensitive: true });
  const tasks = taskRoutes(deps);
  const lists = listRoutes(deps);
  const auth = authRoutes(deps);
  const people = peopleRoutes(deps);
  const markup = markupRoutes(deps);
  const health = healthRoutes(deps);
  const conduit = conduitRoutes(deps);
  const settings = settingsRoutes(deps);
  const saved = savedQueryRoutes(deps);
  const downloads = exportRoutes(deps);
  const bulkEdits = bulkEditRoutes(deps);
  const account = accountSettingsRoutes(deps);
  const mfa = mfaSettingsRoutes(deps);
  const steps = signInStepRoutes(deps);
  const links = loginLinkRoutes(deps);

  r.get('/', (_req, res) => res.redirect(303, '/maniphest/'));
  r.get('/healthz', health.check);
  r.get('/maniphest/', lists.home);
  r.get('/maniphest/query/', lists.custom);
  // Before /maniphest/query/:key/, which would otherwise read these as query keys.
  r.get('/maniphest/query/edit/', saved.manage);
  r.get('/maniphest/query/export.:format', downloads.custom);
  r.get('/maniphest/query/:key/export.:format', downloads.named);
  r.get('/maniphest/query/:key/', lists.named);
  r.post('/maniphest/query/save/', lists.save);
  r.post('/maniphest/query/:key/rename', saved.rename);
  r.post('/maniphest/query/:key/move', saved.move);
  r.post('/maniphest/query/:key/delete', saved.remove);
  r.post('/maniphest/bulk/', lists.bulk);
  r.get('/maniphest/bulk/:id/', bulkEdits.show);
  r.get('/maniphest/task/edit/', tasks.newForm);
  r.post('/maniphest/task/edit/', tasks.create);
  r.get('/maniphest/task/edit/:id/', tasks.editForm);
  r.post('/maniphest/task/edit/:id/', tasks.update);
  r.get('/T:id', tasks.show);
  r.post('/T:id/comment', tasks.comment);
  r.post('/T:id/claim', tasks.claim);
  r.post('/T:id/subscribe', tasks.subscribe);
  r.get('/T:id/hovercard', tasks.hovercard);
  r.get('/T:id/quote/:eventId', tasks.quote);
  r.post('/markup/preview', markup.preview);

  r.get('/setup', auth.setupForm);
  r.post('/setup', auth.setup);
  r.get('/login', auth.loginForm);
  r.post('/login', auth.login);
  r.post('/logout', auth.logout);
  r.get('/login/once/:token/', links.show);
  r.post('/login/once/:token/', links.use);
  r.get('/auth/finish/', steps.finishForm);
  r.post('/auth/finish/', steps.finish);
  r.get('/auth/password/', steps.passwordForm);
  r.post('/auth/password/', steps.setPassword);
  r.get('/auth/elevate/', steps.elevateForm);
  r.post('/auth/elevate/', steps.elevate);

  r.get('/people/', people.list);
  r.post('/people/', people.add);
  r.get('/people/log/', people.log);
  r.post('/people/:username/login-link', people.loginLink);
  r.post('/people/:username/mfa-reset', people.resetMfa);
  r.post('/people/:username/role', people.setRole);
  r.post('/people/:username/disable', people.setDisabled);
  r.get('/p/:username/', people.profile);

  r.get('/settings/', account.page);
  r.post('/settings/realname', account.realname);
  r.post('/settings/password', account.password);
  r.post('/settings/sessions/end-others', account.endOthers);
  r.post('/settings/sessions/:ref/end', account.endSession);
  r.get('/settings/mfa/', mfa.page);
  r.post('/settings/mfa/begin', mfa.begin);
  r.get('/settings/mfa/qr.svg', mfa.qrCode);
  r.post('/settings/mfa/confirm', mfa.confirm);
  r.post('/settings/mfa/recovery-codes', mfa.regenerate);
  r.post('/settings/mfa/remove', mfa.remove);
  r.get('/settings/tokens/', settings.tokens);
  r.post('/settings/tokens/', settings.create);
  r.post('/settings/tokens/:id/revoke', settings.revoke);

  r.post('/api/:method', conduit.call);
  r.get('/conduit/', conduit.index);
  r.get('/conduit/method/:name/', conduit.method);
  r.post('/conduit/method/:name/', conduit.tryMethod);
  return r;
}
