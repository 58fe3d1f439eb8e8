/**
 * Every text field of a log line is at most this long. A failed statement's
 * error repeats its SQL, which can be hundreds of kilobytes; a line is for
 * reading and searching, so it keeps the start and the end of such a text.
 */
export const MAX_LOG_FIELD = 4000;
const MAX_ERROR_MESSAGE = 1000;

/** The start and the end of a long text, and how much was left out between them. */
export function abridge(text: string, max: number): string {
  if (text.length <= max) return text;
  const half = Math.floor(max / 2);
  return `${text.slice(0, half)} … [${(text.length - 2 * half).toLocaleString('en-US')} characters left out] … ${text.slice(-half)}`;
}

/** Fields every line of this process carries: which app process of a WEB_CONCURRENCY group wrote it. */
let processFields: Record<string, unknown> = {};

export function tagLogLines(fields: Record<string, unknown>): void {
  processFields = { ...fields };
}

/** One log line: a JSON object stamped with the time, so every process's lines read and sort alike. */
export function logLine(fields: Record<string, unknown>): string {
  const capped = Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, typeof v === 'string' ? abridge(v, MAX_LOG_FIELD) : v]));
  return JSON.stringify({ at: new Date().toISOString(), ...processFields, ...capped });
}

/**
 * An error as the log keeps it: its message (whose end says what failed, after
 * any SQL) abridged on its own, then its stack, which would otherwise repeat it.
 */
export function errorText(err: unknown): string {
  if (!(err instanceof Error)) return abridge(String(err), MAX_ERROR_MESSAGE);
  const head = `${err.name}: ${err.message}`;
  const stack = err.stack ?? head;
  const firstFrame = stack.indexOf('\n    at ');
  const frames = stack.startsWith(head) ? stack.slice(head.length) : firstFrame >= 0 ? stack.slice(firstFrame) : '';
  return `${err.name}: ${abridge(err.message, MAX_ERROR_MESSAGE)}${frames}`;
}
