import { z } from 'zod';
import { MAX_LIST_ITEMS, count } from '../limits';

/** Project colours: each a CSS class (`tag-blue`), never an inline style. */
export const PROJECT_COLORS = ['blue', 'red', 'orange', 'yellow', 'green', 'sky', 'indigo', 'violet', 'pink', 'grey', 'checkered'] as const;
export type ProjectColor = (typeof PROJECT_COLORS)[number];

/** Icons name what a project is; each is a CSS class too. */
export const PROJECT_ICONS = ['project', 'tag', 'team', 'release', 'bug', 'feature', 'policy', 'milestone'] as const;
export type ProjectIcon = (typeof PROJECT_ICONS)[number];

export const ICON_NAMES: Record<ProjectIcon, string> = {
  project: 'Project',
  tag: 'Tag',
  team: 'Team',
  release: 'Release',
  bug: 'Bug',
  feature: 'Feature',
  policy: 'Policy',
  milestone: 'Milestone',
};

export const MAX_PROJECT_NAME_LENGTH = 128;
export const MAX_HASHTAG_LENGTH = 64;
export const MAX_HASHTAGS = 10;

export interface Project {
  id: number;
  phid: string;
  name: string;
  description: string;
  color: ProjectColor;
  icon: ProjectIcon;
  /** The parent of a milestone; null for a top-level project. */
  parentId: number | null;
  milestoneNumber: number | null;
  authorId: number;
  closedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
  /** The primary hashtag first. */
  hashtags: string[];
}

/** A project as tags, links and sentences show it. */
export interface ProjectTag {
  id: number;
  name: string;
  hashtag: string;
  color: string;
  closed: boolean;
}

export function tagOf(p: Project): ProjectTag {
  return { id: p.id, name: p.name, hashtag: p.hashtags[0] ?? String(p.id), color: p.color, closed: p.closedAt !== null };
}

export const projectUrl = (p: { id: number }) => `/project/view/${p.id}/`;
export const boardUrl = (p: { id: number }) => `/project/board/${p.id}/`;

const HASHTAG = /^[a-z0-9_-]*[a-z][a-z0-9_-]*$/;

/** "Backend Team!" -> "backend_team": lowercase letters, digits, "_" and "-", with at least one letter. */
export function hashtagFromName(name: string): string {
  const tag = name
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, MAX_HASHTAG_LENGTH);
  return HASHTAG.test(tag) ? tag : '';
}

/** A hashtag as people type it: "#Backend" and "backend" are the same tag. */
export function normalizeHashtag(raw: string): string {
  return raw.trim().replace(/^#/, '').toLowerCase();
}

export function isHashtag(tag: string): boolean {
  return tag.length <= MAX_HASHTAG_LENGTH && HASHTAG.test(tag);
}

/** "backend, #api  be" -> ["backend", "api", "be"]: commas or spaces between, "#" optional. */
export function splitHashtags(raw: string): string[] {
  return [...new Set(raw.split(/[\s,]+/).map(normalizeHashtag).filter(Boolean))];
}

const text = z.string({ error: 'Send this field once, as text.' });

/** The project form (create and edit); hashtags default to one derived from the name. */
export const ProjectInput = z
  .object({
    name: text
      .trim()
      .min(1, 'Projects must have a name.')
      .max(MAX_PROJECT_NAME_LENGTH, `Project names are at most ${MAX_PROJECT_NAME_LENGTH} characters.`),
    hashtags: text.default(''),
    description: text.max(65536, 'The description is at most 65,536 characters.').default(''),
    color: z.enum(PROJECT_COLORS, { error: `Choose a colour: ${PROJECT_COLORS.join(', ')}.` }).default('blue'),
    icon: z.enum(PROJECT_ICONS, { error: `Choose an icon: ${PROJECT_ICONS.join(', ')}.` }).default('project'),
    members: text.default(''),
    watchers: text.default(''),
  })
  .transform((p, ctx) => {
    const hashtags = splitHashtags(p.hashtags);
    if (!hashtags.length) {
      const derived = hashtagFromName(p.name);
      if (derived) hashtags.push(derived);
    }
    const bad = hashtags.find((h) => !isHashtag(h));
    if (bad !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['hashtags'],
        message: `"#${bad}" is not a hashtag: use at most ${MAX_HASHTAG_LENGTH} lowercase letters, digits, "_" and "-", with at least one letter.`,
      });
    } else if (!hashtags.length) ctx.addIssue({ code: 'custom', path: ['hashtags'], message: 'Give the project a hashtag, with at least one letter.' });
    else if (hashtags.length > MAX_HASHTAGS) ctx.addIssue({ code: 'custom', path: ['hashtags'], message: `A project has at most ${MAX_HASHTAGS} hashtags.` });
    const people = { members: usernames(p.members), watchers: usernames(p.watchers) };
    for (const field of ['members', 'watchers'] as const) {
      if (people[field].length > MAX_LIST_ITEMS) {
        ctx.addIssue({ code: 'custom', path: [field], message: `This names ${count(people[field].length)} people; name at most ${count(MAX_LIST_ITEMS)}.` });
      }
    }
    return { ...p, hashtags, ...people };
  });
export type ProjectInput = z.infer<typeof ProjectInput>;

function usernames(raw: string): string[] {
  return [...new Set(raw.split(/[\s,]+/).map((u) => u.replace(/^@/, '')).filter(Boolean))];
}
