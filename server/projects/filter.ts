import type { Knex } from 'knex';
import type { ProjectFilter } from '../search/query';
import { normalizeHashtag } from './project';
import { findProjectsByHashtags, findProjectsByPhids, listProjects } from './repository';

/**
 * The list's "Tags" parameter, in Phabricator's words: `backend, frontend`
 * (tagged with both), `any(backend, frontend)` (with either), `-design` or
 * `not(design)` (without), `no-project` or `null()` (with no tag at all).
 * A project stands for its milestones too.
 */
export async function parseProjectFilter(db: Knex, raw: string): Promise<{ filter?: ProjectFilter; problem?: string }> {
  const all: string[] = [];
  const any: string[] = [];
  const not: string[] = [];
  let none = false;
  const TOKEN = /(any|not)\(([^)]*)\)|null\(\)|[^\s,()]+/gi;
  for (const m of raw.matchAll(TOKEN)) {
    if (m[1]) {
      const into = m[1].toLowerCase() === 'any' ? any : not;
      into.push(...m[2]!.split(/[\s,]+/).map(normalizeHashtag).filter(Boolean));
    } else if (/^(null\(\)|no-project)$/i.test(m[0])) none = true;
    else if (m[0].startsWith('-')) not.push(normalizeHashtag(m[0].slice(1)));
    else all.push(normalizeHashtag(m[0]));
  }
  const named = [...new Set([...all, ...any, ...not])];
  if (!named.length && !none) return {};
  const found = await findProjectsByHashtags(db, named);
  const missing = named.filter((h) => !found.has(h));
  if (missing.length) return { problem: `There is no project ${missing.map((h) => `"#${h}"`).join(', ')}.` };
  const parents = [...new Set([...found.values()].filter((p) => p.parentId === null).map((p) => p.id))];
  const milestones = parents.length ? await listProjects(db, { closed: true, limit: 10000, parentIds: parents }) : [];
  const family = (tag: string) => {
    const p = found.get(tag)!;
    return [p.id, ...milestones.filter((m) => m.parentId === p.id).map((m) => m.id)];
  };
  const filter: ProjectFilter = {};
  if (all.length) filter.all = all.map(family);
  if (any.length) filter.any = [...new Set(any.flatMap(family))];
  if (not.length) filter.not = [...new Set(not.flatMap(family))];
  if (none) filter.none = true;
  return { filter };
}

/**
 * `constraints.projects` of maniphest.search: PHIDs or hashtags, with the same
 * functions (any(), not(), null()); PHIDs are read as their projects' hashtags.
 */
export async function projectFilterFromConstraint(db: Knex, values: string[]): Promise<{ filter?: ProjectFilter; problem?: string }> {
  const text = values.join(', ');
  const phids = [...new Set(text.match(/PHID-PROJ-[a-z2-7]+/g) ?? [])];
  const projects = await findProjectsByPhids(db, phids);
  const missing = phids.filter((ph) => !projects.some((p) => p.phid === ph));
  if (missing.length) return { problem: `There is no project ${missing.map((m) => `"${m}"`).join(', ')}.` };
  const byPhid = new Map(projects.map((p) => [p.phid, p.hashtags[0]!]));
  return parseProjectFilter(db, text.replace(/PHID-PROJ-[a-z2-7]+/g, (ph) => byPhid.get(ph)!));
}
