import path from 'node:path';
import cookieParser from 'cookie-parser';
import express from 'express';
import type { AppDeps } from './web/deps';
import './web/context';
import { MAX_FORM_FIELDS } from './web/forms';
import { csrf, issueCsrfTokens } from './web/middleware/csrf';
import { errorHandler, notFound } from './web/middleware/errors';
import { requestLog } from './web/middleware/request-log';
import { countRequests } from './web/middleware/requests-in-flight';
import { securityHeaders } from './web/middleware/security-headers';
import { markWriters } from './web/replica';
import { session } from './web/middleware/session';
import { sessionGate } from './web/middleware/session-gate';
import { setupGate } from './web/middleware/setup-gate';
import { routes } from './web/routes';
import { conduitErrors, conduitNotFound } from './web/routes/conduit';
import { viewEngine } from './web/view-engine';

const ROOT = path.resolve(__dirname, '..');

/** Assembles the express app; listening is main.ts's job, so tests can drive it with supertest. */
export function createApp(deps: AppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', deps.config.trustProxy);
  app.set('strict routing', false);
  // Phabricator's URLs are case-sensitive; so is every path check here (the CSRF exemption of /api/, the setup gate), and the router must agree with them.
  app.set('case sensitive routing', true);

  app.engine('hbs', viewEngine(ROOT));
  app.set('view engine', 'hbs');
  app.set('views', path.join(ROOT, 'views'));
  if (process.env.NODE_ENV !== 'development') app.enable('view cache');

  app.use(requestLog(deps.config.logRequests, deps.log));
  app.use(countRequests(deps.jobs.requests));
  app.use(securityHeaders);
  app.use('/static', express.static(path.join(ROOT, 'static'), { maxAge: '1h' }));
  // Browsers and feed readers ask for /favicon.ico whatever the page says, also before setup.
  app.get('/favicon.ico', (_req, res) => res.type('image/svg+xml').sendFile(path.join(ROOT, 'static/img/favicon.svg'), { maxAge: '1d' }));
  app.use(express.urlencoded({ extended: false, limit: '1mb', parameterLimit: MAX_FORM_FIELDS }));
  app.use(cookieParser());
  if (deps.reads && deps.reads !== deps.db) app.use(markWriters(deps.config.replicaStickySeconds));
  app.use(session(deps.db, deps.config.sessionDays));
  app.use(setupGate(deps.db));
  app.use(sessionGate(deps.config.requireMfa));
  // Conduit calls carry an API token instead of a session, so CSRF does not apply to them.
  issueCsrfTokens(app.request, deps.secret);
  app.use(csrf(['/api/']));
  app.use(routes(deps));
  app.use('/api/', conduitNotFound, conduitErrors(deps.log));
  app.use(notFound);
  app.use(errorHandler(deps.log));
  return app;
}
