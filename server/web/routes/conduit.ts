import type { ErrorRequestHandler, Request, RequestHandler, Response } from 'express';
import { refusal, runConduitCall, type ConduitAnswer, type ConduitDeps } from '../../conduit/call';
import { ConduitError, callError, coreError } from '../../conduit/errors';
import { METHODS, findMethod } from '../../conduit/registry';
import { decodeConduitBody } from '../../conduit/transport';
import { DatabaseUnavailableError, isDatabaseUnavailable, RETRY_AFTER_SECONDS } from '../../db/unavailable';
import { AppError, NotFoundError } from '../../errors';
import { logUnavailable } from '../middleware/errors';
import type { AppDeps } from '../deps';
import { MAX_FORM_FIELDS } from '../forms';
import { requireViewer } from '../guards';
import { renderPage } from '../render';
import { siteUrl } from '../request-url';
import { methodListModel, methodPageModel } from '../views/conduit';
import { errorText, logLine } from '../../log';

function send(res: Response, answer: ConduitAnswer): void {
  if (answer.retryAfter) res.setHeader('Retry-After', String(answer.retryAfter));
  res.status(200).json({ result: answer.result, error_code: answer.error_code, error_info: answer.error_info });
}

/** output=human: the answer as a page for people, as Phabricator gives it, still with HTTP 200. */
function sendHuman(res: Response, method: string, answer: ConduitAnswer): void {
  if (answer.retryAfter) res.setHeader('Retry-After', String(answer.retryAfter));
  res.status(200).render('pages/conduit/human', {
    layout: false,
    method,
    errorCode: answer.error_code,
    errorInfo: answer.error_info,
    result: JSON.stringify(answer.result, null, 2),
  });
}

function hasBody(req: Request): boolean {
  return req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
}

export function conduitRoutes(deps: AppDeps) {
  const conduit: ConduitDeps = { db: deps.db, tracker: deps.tracker, config: deps.config, log: deps.log };

  function methodOf(req: Request) {
    const m = findMethod(String(req.params.name ?? ''));
    if (!m) throw new NotFoundError('There is no such Conduit method.');
    return m;
  }

  return {
    /** POST /api/<method>: token-authenticated, form-encoded, answered in JSON with HTTP 200 whatever happens. */
    async call(req: Request, res: Response) {
      let answer: ConduitAnswer;
      try {
        const decoded = decodeConduitBody(req.body as Record<string, unknown> | undefined, req.get('content-type'), hasBody(req));
        answer = await runConduitCall(conduit, {
          method: String(req.params.method),
          params: decoded.params,
          baseUrl: siteUrl(req),
          requestId: req.requestId,
          caller: { token: decoded.token, address: req.ip ?? null },
        });
      } catch (err) {
        if (!(err instanceof ConduitError)) throw err;
        answer = refusal(err);
      }
      if ((req.body as Record<string, unknown> | undefined)?.output === 'human') sendHuman(res, String(req.params.method), answer);
      else send(res, answer);
    },

    index(req: Request, res: Response) {
      renderPage(req, res, 'pages/conduit/index', 'Conduit API', { methods: methodListModel(METHODS), loggedIn: Boolean(req.viewer) });
    },

    method(req: Request, res: Response) {
      const m = methodOf(req);
      renderPage(req, res, 'pages/conduit/method', m.name, { method: methodPageModel(m, siteUrl(req), null, undefined), loggedIn: Boolean(req.viewer) });
    },

    /** The console's form: the method called as the person logged in, CSRF-checked like every form. */
    async tryMethod(req: Request, res: Response) {
      const m = methodOf(req);
      const viewer = requireViewer(req);
      const body = (req.body ?? {}) as Record<string, unknown>;
      let answer: ConduitAnswer;
      try {
        const decoded = decodeConduitBody(body, 'application/x-www-form-urlencoded', false);
        answer = await runConduitCall(conduit, { method: m.name, params: decoded.params, baseUrl: siteUrl(req), requestId: req.requestId, caller: { sessionUser: viewer } });
      } catch (err) {
        if (!(err instanceof ConduitError)) throw err;
        answer = refusal(err);
      }
      const typed: Record<string, unknown> = {};
      for (const d of m.docs) typed[d.name] = body[`params[${d.name}]`] ?? '';
      renderPage(req, res, 'pages/conduit/method', m.name, {
        method: methodPageModel(m, siteUrl(req), typed, { result: answer.result, error_code: answer.error_code, error_info: answer.error_info }),
        loggedIn: true,
      });
    },
  };
}

/**
 * Under /api/ every answer is Conduit JSON, also for what never reaches a
 * method: another verb, an unreadable or oversized body.
 */
export const conduitNotFound: RequestHandler = (req, res) => {
  send(res, refusal(callError(`Call Conduit methods with POST /api/<method>; this was ${req.method} ${req.originalUrl.split('?')[0]}.`)));
};

export function conduitErrors(log: (line: string) => void): ErrorRequestHandler {
  return (err, req, res, next) => {
    if (res.headersSent) return next(err);
    if (isDatabaseUnavailable(err)) {
      logUnavailable(log, req, err);
      const outage = new DatabaseUnavailableError();
      res.setHeader('Retry-After', String(RETRY_AFTER_SECONDS));
      return void res.status(503).json({ result: null, error_code: 'ERR-CONDUIT-CORE', error_info: outage.message });
    }
    const e = err as { type?: string; status?: number; limit?: number };
    if (e?.type === 'entity.too.large') return send(res, refusal(callError('The request body is too large: the limit is 1 MB.')));
    if (e?.type === 'parameters.too.many') return send(res, refusal(callError(`The request has too many fields: the limit is ${MAX_FORM_FIELDS}.`)));
    // Only the body reader's own errors carry a `type`; any other refusal says what it is about.
    if (typeof e?.type === 'string' && typeof e.status === 'number' && e.status >= 400 && e.status < 500) {
      return send(res, refusal(callError('The request body could not be read as form-encoded data.')));
    }
    if (err instanceof AppError && err.status < 500) return send(res, refusal(callError(err.message)));
    log(logLine({ id: req.requestId, level: 'error', error: errorText(err) }));
    send(res, refusal(coreError(`Something went wrong on our side. The error has been logged as request ${req.requestId}; please try again.`)));
  };
}
