import crypto from 'node:crypto';
import type { Knex } from 'knex';
import { allTasks } from '../search/engine';
import { dueInstant, hasTime } from '../tasks/due';
import type { Task, Tracker } from '../tasks/task';
import { findUserById } from '../users/repository';
import { hashToken } from '../users/sessions';
import type { User } from '../users/user';
import { serializeCalendar, type CalendarEvent } from './ical';
import * as repo from './repository';

/**
 * Each person's private calendar of their open tasks' due dates, at a URL
 * whose secret only they were shown. Only its SHA-256 is kept, as for API
 * tokens: a lost URL is replaced, not shown again.
 */

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';
const SECRET_LENGTH = 32;
/** A feed lists at most this many tasks, soonest due first. */
export const FEED_LIMIT = 1000;

export const feedPath = (secret: string) => `/maniphest/calendar/${secret}.ics`;

/** A new secret for the person: the URL it makes is returned once, and any older one stops working. */
export async function regenerateFeed(db: Knex, user: User): Promise<string> {
  // 160 random bits; 256 is a multiple of 32, so masking each byte keeps every character equally likely.
  const secret = [...crypto.randomBytes(SECRET_LENGTH)].map((b) => ALPHABET[b & 31]).join('');
  await repo.replaceFeed(db, user.id, hashToken(secret));
  return secret;
}

export const revokeFeed = (db: Knex, user: User) => repo.deleteFeed(db, user.id);

export const findFeed = (db: Knex, user: User) => repo.findFeed(db, user.id);

/** The account a secret opens the feed of; null for one that is malformed, revoked or replaced, or a disabled account's. */
export async function feedOwner(db: Knex, secret: string): Promise<User | null> {
  if (!new RegExp(`^[${ALPHABET}]{${SECRET_LENGTH}}$`).test(secret)) return null;
  const userId = await repo.findFeedOwnerId(db, hashToken(secret));
  const user = userId === null ? null : await findUserById(db, userId);
  return user && !user.disabledAt ? user : null;
}

/** The UID names the task alone, not the address the feed was read at, so it stays the same wherever it is read. */
function feedEvent(t: Task, tracker: Tracker, siteUrl: string): CalendarEvent {
  const due = t.due!;
  return {
    uid: `${t.phid}-due@trellis`,
    summary: `T${t.id}: ${t.title}`,
    url: `${siteUrl}/T${t.id}`,
    description: tracker.stateText(t),
    start: hasTime(due) ? { at: dueInstant(due, tracker.timeZone)! } : { date: due },
    stamp: t.updatedAt,
  };
}

/**
 * The feed: the person's open tasks with a due date, as they may see them now (the one search
 * engine, with them as the viewer), soonest first.
 */
export async function buildFeed(db: Knex, tracker: Tracker, user: User, siteUrl: string): Promise<string> {
  const query = { filter: { owners: [user.id], statuses: tracker.openStatusKeys, due: { set: true } }, order: 'due' as const, group: 'none' as const, limit: FEED_LIMIT };
  const events: CalendarEvent[] = [];
  for await (const t of allTasks(db, tracker, user, query)) {
    events.push(feedEvent(t, tracker, siteUrl));
    if (events.length >= FEED_LIMIT) break;
  }
  return serializeCalendar({ product: '-//Trellis//Due Dates//EN', name: `Trellis: ${user.username}'s due dates`, events });
}
