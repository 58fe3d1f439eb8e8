import type { Request, Response } from 'express';
import { jumpTarget } from '../../search/jump';
import { SUGGEST_KINDS, suggest, type SuggestKind } from '../../search/suggest';
import type { AppDeps } from '../deps';

const text = (v: unknown) => (typeof v === 'string' ? v.slice(0, 200) : '');

/** The top bar's jump box (a plain GET form, so it works without JavaScript) and the typeahead behind named fields. */
export function jumpRoutes(deps: AppDeps) {
  return {
    jump(req: Request, res: Response) {
      res.redirect(303, jumpTarget(text(req.query.q)));
    },

    async typeahead(req: Request, res: Response) {
      const kind = String(req.query.kind ?? '');
      if (!(SUGGEST_KINDS as readonly string[]).includes(kind)) {
        res.status(400).json({ error: `Give a kind: ${SUGGEST_KINDS.join(', ')}.` });
        return;
      }
      const results = await suggest(deps.db, deps.tracker, req.viewer, kind as SuggestKind, text(req.query.q));
      res.json({ results });
    },
  };
}
