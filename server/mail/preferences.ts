/** The kinds of change a person can choose Email or Ignore for, as Phabricator's mail tags. */
export const MAIL_TAGS = ['status', 'owner', 'priority', 'subscribers', 'comment', 'subtasks', 'other'] as const;
export type MailTag = (typeof MAIL_TAGS)[number];

export const MAIL_TAG_NAMES: Record<MailTag, string> = {
  status: "A task's status changes.",
  owner: "A task's owner changes.",
  priority: "A task's priority changes.",
  subscribers: "A task's subscribers change.",
  comment: 'Someone comments on a task.',
  subtasks: "One of a task's subtasks is closed, reopened or changes status.",
  other: 'Other changes: creation, title, description, visibility.',
};

export interface MailPreferences {
  enabled: boolean;
  /** Mail about your own actions. */
  selfActions: boolean;
  /** One mail per task per this many minutes; null: one mail per change. */
  digestMinutes: number | null;
  ignored: MailTag[];
}

export const DEFAULT_PREFERENCES: Readonly<MailPreferences> = Object.freeze({ enabled: true, selfActions: false, digestMinutes: null, ignored: [] });

/** The kind of change an event type is, for the person's choices. */
export function tagOf(type: string): MailTag {
  if (type === 'subtask-status') return 'subtasks';
  return (MAIL_TAGS as readonly string[]).includes(type) ? (type as MailTag) : 'other';
}
