import crypto from 'node:crypto';
import type { Knex } from 'knex';
import { ROLES, type Role } from '../users/roles';
import type { ImportTask, KnownUser } from './import-task';
import * as repo from './repository';
import type { ImportReport } from './report';
import type { PhabProject, PhabUser } from './shapes';

const USERNAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const USER_PHID = /^PHID-USER-[a-z2-7]{20}$/;
const PROJECT_PHID = /^PHID-PROJ-[a-z2-7]{20}$/;
const HASHTAG = /^[a-z0-9_-]*[a-z][a-z0-9_-]*$/;

/** The account that stands for people the source no longer lists. */
export const UNKNOWN_USERNAME = 'unknown-user';

/** `admin=admin,bot=reader,alice=maintainer`: a Phabricator role or a username, to a Trellis role. */
export function parseRoleMapping(text: string | undefined): Map<string, Role> {
  const map = new Map<string, Role>([['admin', 'admin']]);
  for (const pair of (text ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
    const [key, role] = pair.split('=').map((s) => s.trim());
    if (!key || !role || !(ROLES as readonly string[]).includes(role)) {
      throw new Error(`"${pair}" is no role mapping: write SOURCE=ROLE, where ROLE is one of ${ROLES.join(', ')}.`);
    }
    map.set(key.toLowerCase(), role as Role);
  }
  return map;
}

function roleFor(u: PhabUser, roles: Map<string, Role>): Role {
  const byName = roles.get(u.fields.username.toLowerCase());
  if (byName) return byName;
  for (const r of u.fields.roles ?? []) {
    const mapped = roles.get(r.toLowerCase());
    if (mapped) return mapped;
  }
  return 'engineer';
}

/**
 * A source account as an account here: found by its PHID from an earlier run,
 * or by its username (a person who already has an account), or created with
 * no password. Its disabled state follows the source's.
 */
export async function importUser(db: Knex, u: PhabUser, roles: Map<string, Role>, report: ImportReport, dryRun: boolean, fakeId: () => number): Promise<KnownUser | null> {
  const username = u.fields?.username;
  if (typeof username !== 'string' || !USERNAME.test(username) || /[._-]$/.test(username)) {
    report.skip('user whose name Trellis can not take', String(username).slice(0, 40));
    return null;
  }
  const disabled = (u.fields.roles ?? []).includes('disabled');
  const known = (await repo.findSources(db, 'user', [u.phid])).get(u.phid);
  if (known) {
    if (!dryRun) await repo.setUserDisabled(db, known.localId, disabled);
    report.count('users updated');
    return { id: known.localId, username };
  }
  const existing = await repo.findUserIdByUsername(db, username);
  if (existing) {
    report.count('users matched to existing accounts');
    if (!dryRun) await repo.recordSource(db, 'user', u.phid, existing.id, 0);
    return existing;
  }
  report.count(disabled ? 'users created (disabled)' : 'users created');
  if (dryRun) return { id: fakeId(), username };
  const phid = USER_PHID.test(u.phid) && !(await repo.phidTaken(db, 'users', u.phid)) ? u.phid : null;
  const created = typeof u.fields.dateCreated === 'number' ? new Date(u.fields.dateCreated * 1000) : null;
  const id = await repo.insertImportedUser(db, { username, realname: String(u.fields.realName ?? '').slice(0, 255), role: roleFor(u, roles), disabled, createdAt: created, phid });
  await repo.recordSource(db, 'user', u.phid, id, 0);
  return { id, username };
}

/** The disabled account authorship falls back to when the source's author is gone. */
export async function unknownUser(db: Knex, dryRun: boolean): Promise<KnownUser> {
  const existing = await repo.findUserIdByUsername(db, UNKNOWN_USERNAME);
  if (existing || dryRun) return existing ?? { id: -1, username: UNKNOWN_USERNAME };
  const id = await repo.insertImportedUser(db, { username: UNKNOWN_USERNAME, realname: 'Unknown user (import)', role: 'reader', disabled: true, createdAt: null, phid: null });
  return { id, username: UNKNOWN_USERNAME };
}

export async function importProject(db: Knex, p: PhabProject, authorId: number, report: ImportReport, dryRun: boolean, fakeId: () => number): Promise<number | null> {
  const known = (await repo.findSources(db, 'project', [p.phid])).get(p.phid);
  if (known) {
    report.count('projects already imported');
    return known.localId;
  }
  const name = String(p.fields?.name ?? '').trim().slice(0, 128);
  if (!name) {
    report.skip('project without a name', p.phid);
    return null;
  }
  const slug = String(p.fields.slug ?? '').toLowerCase();
  report.count('projects created');
  if (dryRun) return fakeId();
  const id = await repo.insertProject(db, {
    name,
    description: String(p.fields.description ?? ''),
    authorId,
    hashtag: HASHTAG.test(slug) && slug.length <= 64 ? slug : null,
    archived: p.fields.status === 'archived',
    phid: PROJECT_PHID.test(p.phid) && !(await repo.phidTaken(db, 'projects', p.phid)) ? p.phid : null,
  });
  await repo.recordSource(db, 'project', p.phid, id, 0);
  return id;
}

export type TaskOutcome = 'created' | 'updated' | 'unchanged' | 'number-taken';

/**
 * One task in one database transaction: its row with its own number, its
 * subscribers, tags and history, its links to tasks already here (the others
 * wait in import_pending_links for their target), the links that waited for
 * it, its cards (`place`), and its source record. A failure anywhere leaves nothing of it.
 */
export async function writeTask(db: Knex, t: ImportTask, place?: (trx: Knex.Transaction) => Promise<void>): Promise<TaskOutcome> {
  return db.transaction(async (trx) => {
    const known = (await repo.findSources(trx, 'task', [t.sourcePhid])).get(t.sourcePhid);
    if (known && known.modified === t.modified && known.localId === t.id) return 'unchanged';
    if (known) {
      await repo.clearImportedTask(trx, t);
    } else {
      if (await trx('tasks').where({ id: t.id }).first('id')) return 'number-taken';
      if (t.phid && (await repo.phidTaken(trx, 'tasks', t.phid))) t.phid = null;
      await repo.insertTaskWithId(trx, t);
    }
    await repo.insertTaskParts(trx, t);
    const links = t.links.filter((l) => l.dstKey !== `T${t.id}` && l.dstKey !== t.sourcePhid);
    const targets = await repo.resolveLinkTargets(trx, [...new Set(links.map((l) => l.dstKey))]);
    const waiting = links.filter((l) => !targets.has(l.dstKey));
    for (const l of links) {
      const dst = targets.get(l.dstKey);
      if (dst !== undefined) await writeLink(trx, l.kind, t.id, dst, l.actorId, l.at);
    }
    await repo.addPendingLinks(trx, t.id, waiting);
    for (const l of await repo.takePendingLinks(trx, [t.sourcePhid, `T${t.id}`])) {
      if (l.srcId !== t.id) await writeLink(trx, l.kind, l.srcId, t.id, l.actorId, l.at);
    }
    if (place) await place(trx);
    await repo.recordSource(trx, 'task', t.sourcePhid, t.id, t.modified);
    return known ? 'updated' : 'created';
  });
}

async function writeLink(trx: Knex.Transaction, kind: ImportTask['links'][number]['kind'], srcId: number, dstId: number, actorId: number, at: Date) {
  if (kind === 'mention') await repo.writeMention(trx, srcId, dstId, actorId, at, crypto.randomUUID());
  else if (kind === 'merged-into') await repo.writeMerge(trx, srcId, dstId, at);
  else await repo.writeSubtask(trx, srcId, dstId, at);
}
