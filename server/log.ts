/** One log line: a JSON object stamped with the time, so every process's lines read and sort alike. */
export function logLine(fields: Record<string, unknown>): string {
  return JSON.stringify({ at: new Date().toISOString(), ...fields });
}

/** An error as the log keeps it: its stack where it has one. */
export function errorText(err: unknown): string {
  return String((err as Error)?.stack ?? err);
}
