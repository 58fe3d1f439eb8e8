/**
 * What an import did: counts per kind, and everything skipped with why. Kept
 * as counters and a few examples per reason, so its size does not grow with
 * the install's.
 */
const EXAMPLES = 5;

export class ImportReport {
  readonly counts = new Map<string, number>();
  /** Reason -> how often, and the first few objects it was about. */
  readonly skipped = new Map<string, { count: number; examples: string[] }>();
  /** Values the configuration does not name (a status, a priority): kept, listed here to add to the configuration. */
  readonly configuration = new Map<string, number>();

  count(kind: string, n = 1): void {
    this.counts.set(kind, (this.counts.get(kind) ?? 0) + n);
  }

  skip(reason: string, what: string): void {
    const entry = this.skipped.get(reason) ?? { count: 0, examples: [] };
    entry.count++;
    if (entry.examples.length < EXAMPLES && !entry.examples.includes(what)) entry.examples.push(what);
    this.skipped.set(reason, entry);
  }

  /** `tasks` is how many tasks use the value: 0 for one the source's configuration lists. */
  note(configLine: string, tasks = 1): void {
    this.configuration.set(configLine, (this.configuration.get(configLine) ?? 0) + tasks);
  }

  get(kind: string): number {
    return this.counts.get(kind) ?? 0;
  }

  lines(dryRun: boolean): string[] {
    const out = [dryRun ? 'Import report (dry run: nothing was written)' : 'Import report'];
    out.push('Imported:');
    for (const [kind, n] of [...this.counts].sort(([a], [b]) => a.localeCompare(b))) out.push(`  ${kind}: ${n}`);
    if (this.configuration.size) {
      out.push('Not in the configuration (kept as they are; add them to TRELLIS_CONFIG to name them):');
      for (const [line, n] of this.configuration) out.push(`  ${line}: ${n} tasks`);
    }
    out.push(this.skipped.size ? 'Skipped:' : 'Skipped: nothing');
    for (const [reason, { count, examples }] of [...this.skipped].sort(([, a], [, b]) => b.count - a.count)) {
      out.push(`  ${reason}: ${count}${examples.length ? ` (${examples.join(', ')}${count > examples.length ? ', …' : ''})` : ''}`);
    }
    return out;
  }
}
