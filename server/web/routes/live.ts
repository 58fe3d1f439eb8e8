import type { Request, Response } from 'express';
import type { LiveStream } from '../../live/hub';
import { viewTask, visibleVersion } from '../../tasks/read';
import type { AppDeps } from '../deps';
import { taskIdParam } from '../guards';

/**
 * A server-sent event stream on the response. The stream holds no database
 * connection: it waits for the hub to write to it. Its headers go out once
 * the hub listens (`follow`), so a client that has them is told of every
 * change from then on.
 */
function openStream(req: Request, res: Response): LiveStream {
  res.status(200).set({ 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-store', 'X-Accel-Buffering': 'no' });
  return {
    viewer: req.viewer,
    send: (event, data) => {
      if (!res.writableEnded) res.write(event ? `event: ${event}\ndata: ${JSON.stringify(data)}\n\n` : ': still here\n\n');
    },
    end: () => res.end(),
  };
}

/**
 * Holds the stream open until the browser goes away or the hub ends it. `caughtUp` runs once
 * the hub listens: what changed before is for it to send, what changes after is notified.
 */
async function follow(res: Response, watch: () => Promise<() => void>, caughtUp: () => Promise<void> = async () => {}) {
  let stop: () => void;
  try {
    stop = await watch();
  } catch {
    // The server is stopping: the browser will ask again, of whichever process answers.
    return void res.end();
  }
  try {
    await caughtUp();
  } catch (err) {
    // Unless the hub sent an event meanwhile, the headers are still unsent: the error is answered as on any page.
    stop();
    throw err;
  }
  if (res.writableEnded || res.destroyed) return stop();
  res.flushHeaders();
  // A browser that loses the stream asks again after this long.
  res.write('retry: 3000\n\n');
  res.on('close', stop);
}

export function liveRoutes(deps: AppDeps) {
  return {
    /**
     * A task page's updates: "change" with the version the page should reach
     * (it fetches itself again, as its viewer), "gone" when the viewer may no
     * longer see the task. A task one may not see is a 404, as a missing one.
     */
    async task(req: Request, res: Response) {
      const id = taskIdParam(req);
      await viewTask(deps.db, req.viewer, id);
      const since = Number(req.query.since);
      const stream = openStream(req, res);
      // A page that missed changes (while its stream was down, or before the hub listened) catches up at once.
      await follow(res, () => deps.live.watchTask(id, stream), async () => {
        const version = await visibleVersion(deps.db, req.viewer, id);
        if (Number.isSafeInteger(since) && version > since) stream.send('change', { version });
      });
    },

    /** A list's updates: "changed" with how many tasks the viewer may see have changed since it opened. */
    async lists(req: Request, res: Response) {
      const stream = openStream(req, res);
      await follow(res, () => deps.live.watchLists(stream));
    },
  };
}
