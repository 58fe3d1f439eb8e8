import type { RequestHandler } from 'express';
import helmet from 'helmet';

/**
 * Security headers from helmet. The Content-Security-Policy allows scripts and
 * styles only from /static (no inline script, style or event handler anywhere:
 * templates and static/js are written so), forms only to this site, and no framing.
 */
const headers = helmet({
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
});

const hsts = helmet.strictTransportSecurity({ maxAge: 180 * 24 * 60 * 60, includeSubDomains: false });

export const securityHeaders: RequestHandler = (req, res, next) => {
  headers(req, res, (err?: unknown) => {
    if (err) return next(err);
    if (req.secure) return hsts(req, res, next);
    next();
  });
};
