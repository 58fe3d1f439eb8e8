import type { ViewPolicy } from '../tracker-config';

/**
 * Trellis's visibility levels as Phabricator policy values. Public and All
 * Users are Phabricator's own `public` and `users`; Maintainers (maintainers
 * and administrators) has no Phabricator constant, so it is named by a stable
 * PHID-like value that clients can compare and send back.
 */
export const MAINTAINERS_POLICY = 'PHID-PLCY-trellismaintainers';

export function policyValue(view: ViewPolicy | string): string {
  return view === 'maintainers' ? MAINTAINERS_POLICY : view;
}

/** A policy value sent by a client, as the visibility it names; unknown values pass through for the editor to refuse. */
export function viewOfPolicy(value: string): string {
  return value === MAINTAINERS_POLICY ? 'maintainers' : value;
}

/**
 * Who may see, comment on and edit a task. Visitors only ever read, so a public
 * task is interacted with and edited by logged-in users; within these, a
 * person's role decides (readers neither comment nor edit).
 */
export function taskPolicy(view: ViewPolicy): { view: string; interact: string; edit: string } {
  const acting = view === 'public' ? 'users' : policyValue(view);
  return { view: policyValue(view), interact: acting, edit: acting };
}
