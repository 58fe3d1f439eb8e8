import { z } from 'zod';

/**
 * Points (Phabricator's maniphest.points): an optional non-negative number on
 * each task, summed in list groups and board columns. Off by default; switched
 * off, they are hidden everywhere but the stored values are kept.
 */

const Words = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(64, 'must be at most 64 characters')
  .regex(/^[^\u0000-\u001f\u007f]*$/, 'must be one line of text');

/** The `points` section of the TRELLIS_CONFIG file, in the shape of Phabricator's maniphest.points. */
export const PointsFile = z
  .object({
    enabled: z.boolean(),
    /** What a task's points are called: "3 Story Points". */
    label: Words.optional(),
    /** The name of the comment form's action that sets them. */
    action: Words.optional(),
  })
  .strict();
export type PointsFile = z.infer<typeof PointsFile>;

export interface PointsConfig {
  enabled: boolean;
  label: string;
  action: string;
}

export const NO_POINTS: PointsConfig = { enabled: false, label: 'Points', action: 'Change Points' };

export function buildPoints(file: PointsFile | undefined): PointsConfig {
  if (!file) return NO_POINTS;
  return { enabled: file.enabled, label: file.label ?? NO_POINTS.label, action: file.action ?? NO_POINTS.action };
}

/** Past this a value is a slip of the keyboard, not an estimate. */
export const MAX_POINTS = 10000;

/** What the column takes (its CHECK): imported estimates beyond MAX_POINTS are kept as they were given. */
export const MAX_STORED_POINTS = 1000000;

/** Estimates are coarse: two decimal places (0.25) are plenty, and keep sums free of float noise. */
const DECIMAL = /^[0-9]+(\.[0-9]{1,2})?$/;

export class PointsProblem extends Error {}

/**
 * A value as forms, the API and mail give it: a number or its text, or empty
 * (null, '') for no points. Throws PointsProblem with the sentence for the person.
 */
export function parsePoints(raw: unknown): number | null {
  if (raw === null || raw === undefined) return null;
  let text: string;
  if (typeof raw === 'number') {
    if (Number.isNaN(raw) || !Number.isFinite(raw)) throw new PointsProblem('Points value must be numeric or empty.');
    text = String(raw);
  } else if (typeof raw === 'string') {
    text = raw.trim();
  } else {
    throw new PointsProblem('Points value must be numeric or empty.');
  }
  if (text === '') return null;
  if (/^-\s*[0-9.]/.test(text)) throw new PointsProblem('Points value must be nonnegative.');
  if (!/^[0-9]*\.?[0-9]+$/.test(text) && !/^[0-9]+\.$/.test(text)) throw new PointsProblem('Points value must be numeric or empty.');
  const n = Number(text);
  if (n > MAX_POINTS) throw new PointsProblem(`Points value must be at most ${MAX_POINTS}.`);
  if (!DECIMAL.test(String(n))) throw new PointsProblem('Points value may have at most two decimal places.');
  return n;
}

/** "3", "0.5", "12.25": a value or a sum as people read it. */
export function formatPoints(n: number): string {
  return String(Math.round(n * 100) / 100);
}

/** "3 Story Points", with the configured label. */
export function pointsText(n: number, config: PointsConfig): string {
  return `${formatPoints(n)} ${config.label}`;
}

/**
 * Points as another tracker gives them (Phabricator: any non-negative double, or a numeric string):
 * two decimals, within what the column takes; null for none, undefined for what is no value at all.
 */
export function importedPoints(v: unknown): number | null | undefined {
  if (v === null || v === undefined || v === '') return null;
  const n = typeof v === 'string' && /^[0-9]*\.?[0-9]+$/.test(v.trim()) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isFinite(n) || n < 0 || n > MAX_STORED_POINTS) return undefined;
  return Math.round(n * 100) / 100;
}
