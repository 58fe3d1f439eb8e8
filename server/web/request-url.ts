import type { Request } from 'express';
import type { QueryParams } from '../search/params';
import { paramsFromString } from '../search/saved/queries';

/** The site's address as this request reached it, for absolute links in exports and API answers. */
export function siteUrl(req: Request): string {
  return `${req.protocol}://${req.get('host') ?? 'localhost'}`;
}

/** A list's query parameters from the request's URL, read exactly as saved queries and share links are. */
export function queryParamsOf(req: Request): QueryParams {
  return paramsFromString(new URL(req.originalUrl, 'http://trellis').search);
}
