import { z } from 'zod';
import { ConfigError } from './config-error';
import { placeProblem, placeWritten, readConfigFile, zodFileProblems, type ConfigFile } from './config-file';
import { checkFields, FieldsFile, repeatedFieldKeys, type FieldDef } from './fields/config';
import { buildMailConfig, MailerFileEntry, MailFileSection } from './mail/config';
import { buildPoints, PointsFile, type PointsConfig } from './tasks/points';
import { buildWorkflow, checkWorkflow, WorkflowFile, type PathProblem, type WorkflowConfig } from './tasks/workflow';

/**
 * The TRELLIS_CONFIG file: statuses, priorities, workflow rules, points, custom fields and mailers.
 * It is read with the positions of what it holds, so that each problem names its line and column,
 * and checked whole: every problem is listed at once.
 */

export const VIEW_POLICIES = ['public', 'users', 'maintainers'] as const;
export type ViewPolicy = (typeof VIEW_POLICIES)[number];

const Keyword = z.string().regex(/^(?![0-9]+$)[a-z0-9]{1,64}$/, 'must be 1-64 lowercase letters or digits, not all digits');

const StatusConfig = z.object({
  key: Keyword,
  name: z.string().min(1),
  closed: z.boolean(),
  /** Closing an unassigned task as this status assigns it to the closer. */
  claim: z.boolean().default(true),
  /** Reserved statuses exist but cannot be chosen in pickers (duplicate: reached by merging). */
  reserved: z.boolean().default(false),
});
export type StatusConfig = z.infer<typeof StatusConfig>;

const PriorityConfig = z.object({
  value: z.number().int().min(0),
  name: z.string().min(1),
  /** The short name Phabricator's maniphest.priority.search gives ("Unbreak!"); the name when not set. */
  short: z.string().min(1).optional(),
  keyword: Keyword,
  /** More keywords that name it, as Phabricator's "wishlist" beside "wish"; `keyword` stays the one Trellis writes. */
  aliases: z.array(Keyword).optional(),
  color: z.string().regex(/^[a-z]+$/),
});
export type PriorityConfig = z.infer<typeof PriorityConfig>;

export const DEFAULT_STATUSES: StatusConfig[] = [
  { key: 'open', name: 'Open', closed: false, claim: true, reserved: false },
  { key: 'resolved', name: 'Resolved', closed: true, claim: true, reserved: false },
  { key: 'wontfix', name: 'Wontfix', closed: true, claim: true, reserved: false },
  { key: 'invalid', name: 'Invalid', closed: true, claim: false, reserved: false },
  { key: 'duplicate', name: 'Duplicate', closed: true, claim: false, reserved: true },
];

/** Phabricator's defaults, short names and keywords included. */
export const DEFAULT_PRIORITIES: PriorityConfig[] = [
  { value: 100, name: 'Unbreak Now!', short: 'Unbreak!', keyword: 'unbreak', aliases: [], color: 'pink' },
  { value: 90, name: 'Needs Triage', short: 'Triage', keyword: 'triage', aliases: [], color: 'violet' },
  { value: 80, name: 'High', short: 'High', keyword: 'high', aliases: [], color: 'red' },
  { value: 50, name: 'Normal', short: 'Normal', keyword: 'normal', aliases: [], color: 'orange' },
  { value: 25, name: 'Low', short: 'Low', keyword: 'low', aliases: [], color: 'yellow' },
  { value: 0, name: 'Wishlist', short: 'Wish', keyword: 'wish', aliases: ['wishlist'], color: 'sky' },
];

const TrackerFile = z
  .object({
    statuses: z.array(StatusConfig).min(2).optional(),
    priorities: z.array(PriorityConfig).min(1).optional(),
    defaultPriority: z.number().int().optional(),
    defaultStatus: Keyword.optional(),
    defaultView: z.enum(VIEW_POLICIES).optional(),
    mailers: z.array(MailerFileEntry).optional(),
    mail: MailFileSection.optional(),
    workflow: WorkflowFile.optional(),
    points: PointsFile.optional(),
    fields: FieldsFile.optional(),
  })
  .strict();
export type TrackerFile = z.infer<typeof TrackerFile>;

export interface TrackerConfig {
  statuses: StatusConfig[];
  priorities: PriorityConfig[];
  defaultPriority: number;
  defaultStatus: string;
  defaultView: ViewPolicy;
  workflow: WorkflowConfig;
  points: PointsConfig;
  /** Custom fields in use, in the file's order. */
  fields: FieldDef[];
}

/** Without a file to point into, a problem is named by its path alone. */
const byPath = (at: (string | number)[], message: string) => `${at.join('.')}: ${message}`;

export function buildTrackerConfig(input: TrackerFile, envDefaultView?: ViewPolicy, place: (at: (string | number)[], message: string) => string = byPath): TrackerConfig {
  const statuses = input.statuses ?? DEFAULT_STATUSES;
  const priorities = [...(input.priorities ?? DEFAULT_PRIORITIES)].sort((a, b) => b.value - a.value);
  const tracker: TrackerConfig = {
    statuses,
    priorities,
    defaultPriority: input.defaultPriority ?? 90,
    defaultStatus: input.defaultStatus ?? statuses.find((s) => !s.closed)?.key ?? 'open',
    defaultView: envDefaultView ?? input.defaultView ?? 'users',
    workflow: buildWorkflow(input.workflow),
    points: buildPoints(input.points),
    fields: [],
  };
  const fields = checkFields(input.fields);
  tracker.fields = fields.fields;
  const problems: PathProblem[] = [];
  // Each repeat is placed at its second definition, in the file's order (priorities are sorted above).
  const repeats = <T>(xs: T[], key: (x: T) => (string | number)[], what: (k: string | number) => string, at: (i: number) => (string | number)[]) => {
    const seen = new Set<string | number>();
    xs.forEach((x, i) => {
      for (const k of key(x)) {
        if (seen.has(k)) problems.push({ path: at(i), message: what(k) });
        seen.add(k);
      }
    });
  };
  const filePriorities = input.priorities ?? DEFAULT_PRIORITIES;
  repeats(statuses, (s) => [s.key], (k) => `"${k}" is defined twice`, (i) => ['statuses', i, 'key']);
  repeats(filePriorities, (p) => [p.value], (v) => `${v} is defined twice`, (i) => ['priorities', i, 'value']);
  repeats(filePriorities, (p) => [p.keyword, ...(p.aliases ?? [])], (k) => `keyword "${k}" is defined twice`, (i) => ['priorities', i]);
  if (!priorities.some((p) => p.value === tracker.defaultPriority)) {
    problems.push({ path: ['defaultPriority'], message: `${tracker.defaultPriority} is not one of the priorities` });
  }
  const defaultStatus = statuses.find((s) => s.key === tracker.defaultStatus);
  if (!defaultStatus) problems.push({ path: ['defaultStatus'], message: `"${tracker.defaultStatus}" is not one of the statuses` });
  else if (defaultStatus.closed) problems.push({ path: ['defaultStatus'], message: `"${tracker.defaultStatus}" must be an open status` });
  if (!statuses.some((s) => s.closed && !s.reserved)) problems.push({ path: ['statuses'], message: 'at least one closed status is needed' });
  if (input.workflow) problems.push(...checkWorkflow(input.workflow, statuses));
  problems.push(...fields.problems);
  if (problems.length) throw new ConfigError(problems.map((p) => place(p.path, p.message)));
  return tracker;
}

/** Sections the other checks build on: with one of them misshapen, those checks would only echo it. */
const FOUNDATIONS = ['statuses', 'priorities', 'defaultPriority', 'defaultStatus'];

/**
 * The TRELLIS_CONFIG file, read and checked against its shape; its problems carry their positions.
 * A misshapen file still yields its well-shaped sections, so that what they define is checked
 * too (every problem at once), unless a section they build on is the misshapen one.
 */
export function readTrackerFile(where: string): { file: TrackerFile; source: ConfigFile | null; problems: string[] } {
  let source: ConfigFile;
  try {
    source = readConfigFile(where);
  } catch (err) {
    return { file: {}, source: null, problems: [`TRELLIS_CONFIG: cannot read ${where}: ${(err as Error).message}`] };
  }
  if (source.syntax.length) return { file: {}, source: null, problems: source.syntax };
  const result = TrackerFile.safeParse(source.value);
  const repeated = repeatedFieldKeys(source);
  if (result.success) return { file: result.data, source, problems: repeated };
  const problems = [...zodFileProblems(source, result.error), ...repeated];
  const value = source.value;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { file: {}, source: null, problems };
  const broken = new Set(result.error.issues.map((i) => String(i.path[0] ?? '')));
  if (broken.has('') || FOUNDATIONS.some((k) => broken.has(k))) return { file: {}, source: null, problems };
  const partial = Object.fromEntries(Object.entries(value).filter(([k]) => !broken.has(k)));
  return { file: TrackerFile.parse(partial), source, problems };
}

/**
 * Checks a TRELLIS_CONFIG file alone, as `npm run cli -- config check FILE` does:
 * every problem of its shape, then of what it defines, each with its position.
 */
export function checkTrackerFile(where: string, env: NodeJS.ProcessEnv = process.env): string[] {
  const read = readTrackerFile(where);
  const source = read.source;
  if (!source) return read.problems;
  const problems = [...read.problems];
  try {
    buildTrackerConfig(read.file, undefined, (at, message) => placeProblem(source, at, message));
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    problems.push(...err.problems);
  }
  // Mailer passwords come from the environment: checked against this one.
  problems.push(...buildMailConfig(read.file.mailers ?? [], read.file.mail, env).problems.map((p) => placeWritten(source, p)));
  return problems;
}
