import { z } from 'zod';
import { withoutNul } from '../db/text';
import { ValidationError } from '../errors';

/** Fields one form-encoded body may carry: a bulk edit ticks up to a full page of 1000 tasks, one field each, besides its other fields. */
export const MAX_FORM_FIELDS = 2000;

/** One schema per form. Fields are optional: a field left out of a POST means "no change". */
const field = z.string({ error: 'Send this field once, as text.' }).optional();

export const TaskForm = z.object({
  title: field,
  description: field,
  priority: field,
  status: field,
  owner: field,
  view: field,
  points: field,
  projects: field,
  projectsWas: field,
  /** On the create form only: parent tasks as T-numbers, comma-separated. */
  parent: field,
  /** The due date's day (YYYY-MM-DD) and optional time (HH:MM); both empty removes it. */
  dueDate: field,
  dueTime: field,
  version: z
    .string()
    .regex(/^[0-9]{1,10}$/, 'The form version is malformed; reload the page.')
    .transform(Number)
    .optional(),
});

/** Repeated fields (one picker per workboard) arrive as a list. */
const fields = z
  .union([z.string(), z.array(z.string())], { error: 'Send this field as text.' })
  .optional()
  .transform((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]));
const idList = z
  .union([z.string(), z.array(z.string())], { error: 'The selection is malformed; reload the page and choose the tasks again.' })
  .optional()
  .transform((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]).filter((x) => x.trim() !== ''));

/** A related-task picker: tasks to add (or the one to merge into) and to remove, and the search it showed. */
export const RelatedForm = z.object({
  add: idList,
  remove: idList,
  q: field,
});

/**
 * Defaults for the create form from its URL (`?title=…&priority=high&owner=bob&parent=12`), so
 * other tools can link to a filled-in form. A parameter that is not one text value is ignored.
 */
const defaultText = z.string().max(262144).optional().catch(undefined);
export const TaskFormDefaults = z.object({
  title: defaultText,
  description: defaultText,
  priority: defaultText,
  status: defaultText,
  owner: defaultText,
  view: defaultText,
  points: defaultText,
  parent: defaultText,
  projects: defaultText,
  /** The task whose copyable custom fields a new task starts from. */
  template: defaultText,
});

export const CommentForm = z.object({
  addProjects: field,
  removeProjects: field,
  column: fields,
  comment: field,
  status: field,
  priority: field,
  owner: field,
  points: field,
  dueDate: field,
  dueTime: field,
  /** A ticked "Remove Due Date". */
  dueRemove: field,
});

/** A comment's new text, from its edit form. */
export const CommentEditForm = z.object({ comment: field });

export const PreviewForm = z.object({
  text: z.string({ error: 'Send the text to preview.' }).max(262144, 'This text is too long to preview.'),
});

export const SubscribeForm = z.object({
  action: z.enum(['subscribe', 'unsubscribe'], { error: 'Choose subscribe or unsubscribe.' }),
});

export const LoginForm = z.object({
  username: z.string({ error: 'Enter your username.' }).trim().min(1, 'Enter your username.').max(64),
  password: z.string({ error: 'Enter your password.' }).min(1, 'Enter your password.').max(1024),
  next: z.string().optional(),
});

export const SetupForm = z.object({
  username: z.string().optional(),
  realname: z.string().optional(),
  email: z.string().optional(),
  password: z.string().optional(),
  confirm: z.string().optional(),
});

export const RoleForm = z.object({
  role: z.string({ error: 'Choose a role.' }),
});

export const DisableForm = z.object({
  disabled: z.enum(['true', 'false'], { error: 'Say whether to disable or enable the account.' }),
});

/** Parses a form body, or throws a ValidationError naming each field's problem. */
export function parseForm<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  const input = body && typeof body === 'object' ? withoutNul(body) : {};
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const fields: Record<string, string> = {};
  for (const issue of parsed.error.issues) fields[String(issue.path[0] ?? 'form')] ??= issue.message;
  throw new ValidationError(fields);
}

export const TokenForm = z.object({
  name: z.string({ error: 'Send the name once, as text.' }).optional(),
  mfa_code: z.string({ error: 'Send the code once, as text.' }).optional(),
});

/** The query travels as its URL query string, as the list's own link carries it. */
const queryText = z.string({ error: 'Send the query once, as text.' }).max(20000, 'This query is too long to save.').optional();

export const SaveQueryForm = z.object({
  name: field,
  query: queryText,
});

export const RenameQueryForm = z.object({
  name: field,
});

export const MoveQueryForm = z.object({
  direction: z.enum(['up', 'down'], { error: 'Choose to move the query up or down.' }),
});

export const BulkEditForm = z.object({
  ids: z
    .union([z.string(), z.array(z.string())], { error: 'The selection is malformed; reload the page and select the tasks again.' })
    .optional()
    .transform((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v])),
  scope: z.enum(['selected', 'all'], { error: 'Choose to edit the selected tasks or all results.' }),
  query: queryText,
  back: field,
  priority: field,
  status: field,
  owner: field,
  addSubscribers: field,
  removeSubscribers: field,
  points: field,
  due: field,
  field,
  fieldValue: field,
});
