import type { Session } from '../users/sessions';
import type { User } from '../users/user';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      requestId: string;
      /** The logged-in account, or null for a visitor. */
      viewer: User | null;
      sessionId: string | null;
      /** The session behind the cookie, also while it still owes a second factor or a new password (then `viewer` is null). */
      authSession: Session | null;
      /** The token this request's forms must carry in `__csrf__`. */
      csrfToken: string;
    }
  }
}

export {};
