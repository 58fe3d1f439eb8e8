import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';
import helmet from 'helmet';

/**
 * Security headers from helmet. The Content-Security-Policy allows scripts and
 * styles only from /static (no inline script, style or event handler anywhere:
 * templates and static/js are written so), forms only to this site, and no framing.
 */
export const HELMET_OPTIONS: Parameters<typeof helmet>[0] = {
  contentSecurityPolicy: {
    useDefaults: false,
    directives: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'"],
      imgSrc: ["'self'", 'https:', 'data:'],
      fontSrc: ["'self'"],
      connectSrc: ["'self'"],
      objectSrc: ["'none'"],
      baseUri: ["'none'"],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
    },
  },
  frameguard: { action: 'deny' },
  referrerPolicy: { policy: 'same-origin' },
  // Sent only over https, below: over plain http it would be ignored, and on localhost it would stick.
  strictTransportSecurity: false,
};

export const HSTS_OPTIONS: Parameters<typeof helmet.strictTransportSecurity>[0] = { maxAge: 180 * 24 * 60 * 60, includeSubDomains: false };

type Middleware = (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void;

/**
 * The headers a helmet middleware sets, read once at load: with these options
 * every value is a constant (no nonce, nothing read from the request), so each
 * request gets the same list instead of walking helmet's chain of a dozen
 * middlewares. A middleware that did not answer at once, or that did anything
 * but set and remove headers, would break that premise and stops the boot.
 */
function headersOf(middleware: Middleware): { set: [string, string][]; removed: string[] } {
  const set: [string, string][] = [];
  const removed: string[] = [];
  const recorder = {
    setHeader: (name: string, value: unknown) => {
      if (typeof value !== 'string') throw new Error(`The security header ${name} is not a fixed string.`);
      set.push([name, value]);
    },
    removeHeader: (name: string) => void removed.push(name),
  };
  let done = false;
  middleware({} as IncomingMessage, recorder as unknown as ServerResponse, (err) => {
    if (err) throw err;
    done = true;
  });
  if (!done) throw new Error('A security header middleware did not answer at once.');
  return { set, removed };
}

const always = headersOf(helmet(HELMET_OPTIONS) as Middleware);
const overHttps = headersOf(helmet.strictTransportSecurity(HSTS_OPTIONS) as Middleware);
if (overHttps.removed.length) throw new Error('The HSTS middleware removed a header.');

export const securityHeaders: RequestHandler = (req, res, next) => {
  for (const name of always.removed) res.removeHeader(name);
  for (const [name, value] of always.set) res.setHeader(name, value);
  if (req.secure) for (const [name, value] of overHttps.set) res.setHeader(name, value);
  next();
};
