import type { Request, Response } from 'express';
import { parseRowId } from '../../db/ids';
import { NotFoundError } from '../../errors';
import { outboundDetail, retryMessage } from '../../mail/admin';
import { listMessages } from '../../mail/repository';
import type { AppDeps } from '../deps';
import { requireCapability } from '../guards';
import { renderPage } from '../render';
import { outboxDetailModel, outboxListModel } from '../views/mail';

const PAGE_SIZE = 100;
const ADMINS_ONLY = 'Only administrators see the mail Trellis sends.';

export function mailRoutes(deps: AppDeps) {
  const messageId = (req: Request) => {
    const id = parseRowId(String(req.params.id ?? ''));
    if (id === null) throw new NotFoundError('There is no such message.');
    return id;
  };

  return {
    /** The outbox, newest first: what was sent, what waits, what failed and why. */
    async list(req: Request, res: Response) {
      requireCapability(req, 'mail.manage', ADMINS_ONLY);
      const before = typeof req.query.before === 'string' ? parseRowId(req.query.before) : null;
      const messages = await listMessages(deps.db, PAGE_SIZE, before);
      renderPage(req, res, 'pages/mail/list', 'Mail', outboxListModel(messages, PAGE_SIZE, deps.config.timezone));
    },

    async show(req: Request, res: Response) {
      requireCapability(req, 'mail.manage', ADMINS_ONLY);
      const detail = await outboundDetail(deps.db, messageId(req));
      renderPage(req, res, 'pages/mail/show', `Message ${detail.message.id}`, outboxDetailModel(detail, deps.config.mail.from, deps.config.timezone));
    },

    async retry(req: Request, res: Response) {
      requireCapability(req, 'mail.manage', ADMINS_ONLY);
      const id = messageId(req);
      // The job runner of whichever process looks first sends it, within a second or so.
      await retryMessage(deps.db, id);
      res.redirect(303, `/mail/${id}/`);
    },
  };
}
