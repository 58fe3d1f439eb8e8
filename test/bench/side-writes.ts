import type { AppProcess } from './app-process';
import { logIn, type Session } from './login';
import type { Scenario } from './scenarios';
import { BENCH_PASSWORD } from './seed';

/** What a writer beside a run sent, and how the app answered. */
export interface SideWrites {
  perSecond: number;
  sent: number;
  /** Answers by status; a write that failed to connect counts under 'error'. */
  answered: Record<string, number>;
}

/**
 * Sends `write`'s requests at `perSecond` a second beside a measured run of reads, until stopped.
 * Each write moves the tracker's version, so the first view of every kept page after it is rendered
 * afresh: a run of reads with writes beside it measures a tracker people write to while others read,
 * not one frozen in time. The writes are paced, not driven as fast as the app answers, so what they
 * cost does not grow with the reads' speed.
 */
export function startSideWrites(baseUrl: string, write: Scenario, cookie: string, perSecond: number): { stop: () => Promise<SideWrites> } {
  if (write.method !== 'POST' || !write.next) throw new Error(`${write.name} is not a write the bench can pace.`);
  const next = write.next;
  const answered: Record<string, number> = {};
  const pending = new Set<Promise<void>>();
  let sent = 0;
  const send = () => {
    const { path, body } = next();
    sent++;
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
    if (write.auth) headers.cookie = cookie;
    const p = fetch(`${baseUrl}${path}`, { method: 'POST', headers, body, redirect: 'manual' })
      .then(async (res) => {
        await res.arrayBuffer();
        answered[res.status] = (answered[res.status] ?? 0) + 1;
      })
      .catch(() => {
        answered.error = (answered.error ?? 0) + 1;
      })
      .finally(() => pending.delete(p));
    pending.add(p);
  };
  const started = Date.now();
  // Paced by the clock rather than by a fixed interval, so a slow tick does not lower the rate.
  const timer = setInterval(() => {
    const due = Math.floor(((Date.now() - started) / 1000) * perSecond) + 1;
    while (sent < due) send();
  }, Math.max(1, Math.floor(1000 / perSecond / 2)));
  return {
    stop: async () => {
      clearInterval(timer);
      await Promise.all(pending);
      return { perSecond, sent, answered };
    },
  };
}

/**
 * The writer beside the reads, or null for none: the comment scenario as sent by a session of its
 * own, logged in as `login`, so its writes move the version without touching the readers' session.
 */
export async function besideWrites(
  perSecond: number,
  app: AppProcess,
  login: string,
  scenariosOf: (session: Session) => Scenario[],
): Promise<{ write: Scenario; cookie: string; perSecond: number } | null> {
  if (!perSecond) return null;
  const session = await logIn(app.baseUrl, login, BENCH_PASSWORD);
  const write = scenariosOf(session).find((s) => s.name === 'comment');
  if (!write) throw new Error('The comment scenario is missing: there is nothing to write beside the reads.');
  return { write, cookie: session.cookie, perSecond };
}
