import { AppError, NotFoundError } from '../../errors';
import { normaliseText } from './description';
import { FieldProblem, type EventType, type ParseContext } from './types';

/**
 * A change to a comment already posted: its new text, or its removal. The
 * comment's own event keeps the text now shown (the editor rewrites it, as it
 * rewrites the task row); these events are the history, each holding the text
 * it replaced. They show no line in the timeline and send no mail: the
 * comment itself says "Edited" or "This comment was removed by alice.".
 */
export interface CommentRevision {
  /** The event id of the comment revised. */
  comment: number;
  authorId: number;
  /** The text before this revision. */
  previous: string;
  /** The text after it; null for a removal. */
  text: string | null;
}

function requestedComment(raw: unknown): number | null {
  const id = typeof raw === 'object' && raw !== null ? (raw as { comment?: unknown }).comment : undefined;
  return typeof id === 'number' && Number.isSafeInteger(id) && id > 0 ? id : null;
}

async function findRevisable(raw: unknown, ctx: ParseContext) {
  const id = requestedComment(raw);
  const found = id === null ? null : await ctx.findComment(id);
  if (!found) throw new NotFoundError();
  if (found.removed) throw new AppError(409, 'comment-removed', 'This comment was removed; it can not be changed any more.', 'comment');
  return found;
}

const revision = {
  strength: 50,
  field: 'comment',
  current: () => null,
  apply: <S>(s: S) => s,
  // The author may revise their own words; moderating other people's takes more.
  capability: (actor: { id: number }, _from: CommentRevision | null, to: CommentRevision | null) =>
    to && to.authorId === actor.id ? ('task.comment' as const) : ('comment.moderate' as const),
  userIds: () => [],
  hiddenOnCreate: () => false,
  beside: () => null,
  describe: () => null,
} satisfies Partial<EventType<CommentRevision | null>>;

export const commentEdit: EventType<CommentRevision | null> = {
  ...revision,
  type: 'comment.edit',
  refusal: 'You may only edit your own comments.',
  async parse(raw, ctx) {
    const found = await findRevisable(raw, ctx);
    const text = normaliseText((raw as { text?: unknown }).text, 'comment');
    if (text.trim() === '') throw new FieldProblem('comment', 'A comment can not be empty; remove it instead.');
    return { comment: found.id, authorId: found.authorId, previous: found.text, text };
  },
  isNoop: (_from, to) => to === null || to.text === to.previous,
};

export const commentRemove: EventType<CommentRevision | null> = {
  ...revision,
  type: 'comment.remove',
  refusal: 'You may only remove your own comments.',
  async parse(raw, ctx) {
    const found = await findRevisable(raw, ctx);
    return { comment: found.id, authorId: found.authorId, previous: found.text, text: null };
  },
  isNoop: (_from, to) => to === null,
};

/** The revision an event records, when it is one. */
export function revisionOf(e: { type: string; new: unknown }): CommentRevision | null {
  if (e.type !== commentEdit.type && e.type !== commentRemove.type) return null;
  const v = e.new as Partial<CommentRevision> | null;
  return v && typeof v.comment === 'number' ? { comment: v.comment, authorId: Number(v.authorId), previous: String(v.previous ?? ''), text: typeof v.text === 'string' ? v.text : null } : null;
}
