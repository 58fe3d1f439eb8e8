/**
 * Where the top bar's jump box leads: `T123` to the task, `#tag` to the project, `@name` to
 * the person, anything else to a full-text search of the task list. Only addresses on this
 * site come out; whether the viewer may see what is there is the target page's to answer.
 */
export function jumpTarget(raw: string): string {
  const q = raw.trim();
  if (!q) return '/maniphest/';
  const task = /^[Tt]([1-9][0-9]{0,9})$/.exec(q);
  if (task) return `/T${task[1]}`;
  const tag = /^#([^\s#/?]+)$/.exec(q);
  if (tag) return `/tag/${encodeURIComponent(tag[1]!.toLowerCase())}/`;
  const person = /^@([^\s@/?]+)$/.exec(q);
  if (person) return `/p/${encodeURIComponent(person[1]!)}/`;
  return `/maniphest/query/?text=${encodeURIComponent(q)}`;
}
