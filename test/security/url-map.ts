import type { Express } from 'express';
import { createApp } from '../../server/app';
import type { AppDeps } from '../../server/web/deps';

/**
 * The app's routes as express holds them, read from its router stack rather
 * than from a list kept by hand: a route added to server/web/routes.ts is
 * probed by every suite here the day it is added.
 */

export interface RouteEntry {
  method: string;
  /** The path as written in the URL map, parameters included: `/T:id/comment`. */
  path: string;
}

interface StackLayer {
  route?: { path: string | string[]; methods: Record<string, boolean> };
  handle?: { stack?: StackLayer[] };
  rawPath?: unknown;
}

function walk(stack: StackLayer[], prefix: string, into: RouteEntry[]): void {
  for (const layer of stack) {
    if (layer.route) {
      const paths = Array.isArray(layer.route.path) ? layer.route.path : [layer.route.path];
      for (const method of Object.keys(layer.route.methods).filter((m) => layer.route!.methods[m])) {
        for (const p of paths) into.push({ method: method.toUpperCase(), path: prefix + p });
      }
    } else if (layer.handle?.stack) {
      // A mounted router: express records where it is mounted as the layer's raw path.
      if (typeof layer.rawPath !== 'string') throw new Error(`A router is mounted at a pattern (${String(layer.rawPath)}) this walk can not read`);
      walk(layer.handle.stack, layer.rawPath === '/' ? prefix : prefix + layer.rawPath.replace(/\/$/, ''), into);
    }
  }
}

export function routesOf(app: Express): RouteEntry[] {
  const router = (app as unknown as { router: { stack: StackLayer[] } }).router;
  const found: RouteEntry[] = [];
  walk(router.stack, '', found);
  return found;
}

/**
 * The URL map of an app assembled around inert dependencies. Routes are a
 * function of the code alone, so this is what test.each tables are built
 * from while the test file loads, before any database exists.
 */
export function urlMap(): RouteEntry[] {
  const inert = new Proxy({}, { get: () => () => undefined }) as unknown as AppDeps;
  return routesOf(createApp(inert));
}

/** Every route that changes state: the forms and the API. */
export function postRoutes(app?: Express): RouteEntry[] {
  const posts = (app ? routesOf(app) : urlMap()).filter((r) => r.method === 'POST');
  if (posts.length < 10) throw new Error(`Only ${posts.length} POST routes found: the router walk no longer reads express's stack`);
  return posts;
}

/** The POST routes people submit forms to: every one but Conduit's. */
export const formRoutes = (app?: Express) => postRoutes(app).filter((r) => !isConduitRoute(r));

/** Conduit's routes, authenticated by API token instead of a session, and so exempt from CSRF. */
export const isConduitRoute = (r: RouteEntry) => r.path.startsWith('/api/');

/** The parameters a path names, in order: `/people/:username/role` -> ['username']. */
export function pathParams(path: string): string[] {
  return [...path.matchAll(/:([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]!);
}

/**
 * A concrete URL for a route. `values` names a value per parameter; a
 * parameter it does not know gets `fallback`, so a new route is still probed.
 */
export function fillPath(path: string, values: Record<string, string>, fallback = '1'): string {
  return path.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, (_m, name: string) => encodeURIComponent(values[name] ?? fallback));
}
