import { today } from '../tasks/due';
import type { Tracker } from '../tasks/task';
import { startOfDay } from '../time-zone';
import type { DueFilter } from './query';

/** The choices of the filter form's due date select, and of `due:` in the search box. */
export const DUE_CHOICES = ['overdue', 'this-week', 'any', 'none'] as const;
export type DueChoice = (typeof DUE_CHOICES)[number];

export const DUE_CHOICE_NAMES: Record<DueChoice, string> = {
  overdue: 'Overdue',
  'this-week': 'Due This Week',
  any: 'With a Due Date',
  none: 'No Due Date',
};

export interface DueParams {
  text?: string;
  due?: string;
  dueStart?: string;
  dueEnd?: string;
}

/**
 * Takes `due:overdue`, `due:this-week`, `due:any`, `due:none`, `due:after:YYYY-MM-DD` and
 * `due:before:YYYY-MM-DD` out of the search text into the form's fields, which they fill
 * where the form left them empty. A term that is none of these is a problem of the text.
 */
export function takeDueTerms(p: DueParams, problems: Record<string, string>): DueParams {
  const out: DueParams = { ...p };
  if (!p.text) return out;
  out.text = p.text
    .replace(/(^|\s)due:(\S*)/gi, (_m, lead: string, term: string) => {
      const t = term.toLowerCase();
      const bound = /^(after|before):(.*)$/.exec(t);
      if (bound) {
        const field = bound[1] === 'after' ? 'dueStart' : 'dueEnd';
        out[field] ||= bound[2];
      } else if ((DUE_CHOICES as readonly string[]).includes(t)) out.due ||= t;
      else problems.text = `"due:${term}" is not a due date term. Use due:overdue, due:this-week, due:any, due:none, due:after:YYYY-MM-DD or due:before:YYYY-MM-DD.`;
      return lead;
    })
    .trim();
  return out;
}

interface Day {
  year: number;
  month: number;
  day: number;
}

function day(v: string | undefined, field: string, problems: Record<string, string>): Day | undefined {
  if (!v?.trim()) return undefined;
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v.trim());
  const [year, month, d] = m ? [Number(m[1]), Number(m[2]), Number(m[3])] : [0, 0, 0];
  const date = new Date(new Date(0).setUTCFullYear(year, month - 1, d));
  if (!m || year < 1 || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== d) {
    problems[field] = `"${v}" is not a date: use YYYY-MM-DD.`;
    return undefined;
  }
  return { year, month, day: d };
}

/**
 * The due date conditions of a query. Days are the install's: "due before the 11th" takes in the
 * 11th. "This week" is Monday to Sunday; "overdue" is an open task whose due date has passed.
 */
export function dueFilter(p: DueParams, tracker: Tracker, now: Date, timeZone: string, problems: Record<string, string>): DueFilter | undefined {
  const f: DueFilter = {};
  const choice = p.due?.trim().toLowerCase() ?? '';
  if (choice === 'overdue') {
    const d = today(now, timeZone);
    f.overdue = { now, dayStart: startOfDay(d.year, d.month, d.day, timeZone), openStatuses: tracker.openStatusKeys };
  } else if (choice === 'this-week') {
    const d = today(now, timeZone);
    const weekday = (new Date(new Date(0).setUTCFullYear(d.year, d.month - 1, d.day)).getUTCDay() + 6) % 7;
    f.range = { from: startOfDay(d.year, d.month, d.day - weekday, timeZone), to: startOfDay(d.year, d.month, d.day - weekday + 7, timeZone) };
  } else if (choice === 'any' || choice === 'none') f.set = choice === 'any';
  else if (choice !== '') problems.due = `"${p.due}" is not a due date choice. Use ${DUE_CHOICES.join(', ')}.`;

  const first = day(p.dueStart, 'dueStart', problems);
  const last = day(p.dueEnd, 'dueEnd', problems);
  if (first || last) {
    const ordinal = (x: Day) => (x.year * 100 + x.month) * 100 + x.day;
    if (first && last && ordinal(first) > ordinal(last)) problems.dueEnd = 'The end date is before the start date.';
    const from = first ? startOfDay(first.year, first.month, first.day, timeZone) : undefined;
    const to = last && last.year < 9999 ? startOfDay(last.year, last.month, last.day + 1, timeZone) : undefined;
    const r = f.range ?? {};
    f.range = { from: from && (!r.from || from > r.from) ? from : r.from, to: to && (!r.to || to < r.to) ? to : r.to };
  }
  return Object.keys(f).length ? f : undefined;
}
