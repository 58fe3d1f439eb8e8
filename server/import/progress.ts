/**
 * The progress line: tasks and transactions so far, the rate, and an
 * estimate of the time left from the highest task number (the source does
 * not say how many tasks it has; numbers rise and most are in use).
 */
export class Progress {
  private tasks = 0;
  private xacts = 0;
  private lastId = 0;
  private readonly started = Date.now();
  private shown = 0;

  constructor(
    private readonly highest: number,
    private readonly out?: (line: string) => void,
  ) {}

  task(id: number): void {
    this.tasks++;
    this.lastId = id;
    this.show(false);
  }

  transactions(n: number): void {
    this.xacts += n;
  }

  done(): void {
    this.show(true);
  }

  line(): string {
    const minutes = (Date.now() - this.started) / 60000;
    const rate = minutes > 0 ? this.tasks / minutes : 0;
    const left = this.highest > this.lastId && rate > 0 ? (this.highest - this.lastId) / rate : 0;
    const eta = left > 0 ? `, about ${left < 1 ? `${Math.ceil(left * 60)} s` : `${Math.ceil(left)} min`} left` : '';
    const of = this.highest ? ` (T${this.lastId} of T${this.highest})` : '';
    return `${this.tasks} tasks${of}, ${this.xacts} transactions, ${Math.round(rate)} tasks/min${eta}`;
  }

  private show(force: boolean): void {
    if (!this.out) return;
    const now = Date.now();
    if (!force && now - this.shown < 1000) return;
    this.shown = now;
    this.out(this.line());
  }
}
