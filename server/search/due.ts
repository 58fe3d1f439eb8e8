import { weekday } from '../calendar-day';
import { today } from '../tasks/due';
import type { Tracker } from '../tasks/task';
import { startOfDay } from '../time-zone';
import { dayRange } from './days';
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
    // Any open task's due date may pass the next moment.
    f.holdsUntil = now;
  } else if (choice === 'this-week') {
    const d = today(now, timeZone);
    const sinceMonday = (weekday(d) + 6) % 7;
    f.range = { from: startOfDay(d.year, d.month, d.day - sinceMonday, timeZone), to: startOfDay(d.year, d.month, d.day - sinceMonday + 7, timeZone) };
    f.holdsUntil = f.range.to;
  } else if (choice === 'any' || choice === 'none') f.set = choice === 'any';
  else if (choice !== '') problems.due = `"${p.due}" is not a due date choice. Use ${DUE_CHOICES.join(', ')}.`;

  const between = dayRange(p.dueStart, p.dueEnd, 'due', timeZone, problems);
  if (between) {
    const r = f.range ?? {};
    f.range = { from: between.from && (!r.from || between.from > r.from) ? between.from : r.from, to: between.to && (!r.to || between.to < r.to) ? between.to : r.to };
  }
  return Object.keys(f).length ? f : undefined;
}
