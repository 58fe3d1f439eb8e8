import type { AppProcess } from './app-process';
import { measure } from './load';
import { table } from './report';
import type { Scenario } from './scenarios';

/** The app's memory after so many seconds of the soak, with the requests answered in the minute before. */
export interface SoakSample {
  seconds: number;
  requests: number;
  rssMiB: number;
}

/**
 * `seconds` of every scenario in `mix` in turn at `connections`, writes included, the app's RSS
 * sampled after each minute: a leak on any path shows as a rise across the samples.
 */
export async function soak(app: AppProcess, mix: Scenario[], cookie: string, connections: number, seconds: number, say: (line: string) => void): Promise<SoakSample[]> {
  const step = Math.min(60, seconds);
  say(`  soak: ${mix.map((s) => s.name).join(', ')} in turn at c=${connections} for ${seconds} s, memory every ${step} s`);
  const samples: SoakSample[] = [];
  for (let done = 0; done < seconds; done += step) {
    const run = Math.min(step, seconds - done);
    let requests = 0;
    for (const s of mix) requests += (await measure(app.baseUrl, s, cookie, connections, Math.max(1, Math.round(run / mix.length)))).requests;
    const sample = { seconds: done + run, requests, rssMiB: app.rssMiB() };
    samples.push(sample);
    say(`  soak ${sample.seconds} s (${requests} requests): RSS ${sample.rssMiB.toFixed(1)} MiB`);
  }
  return samples;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

/**
 * The samples by ten minutes, each span's least, median and most RSS: one sample rides on what a
 * collection has not yet freed, so a leak is a median that keeps rising, not one high sample.
 */
export function soakSummary(samples: SoakSample[]): string {
  const spans = new Map<number, SoakSample[]>();
  for (const s of samples) {
    const span = Math.floor((s.seconds - 1) / 600);
    spans.set(span, [...(spans.get(span) ?? []), s]);
  }
  const rows = [...spans.entries()].map(([span, xs]) => {
    const rss = xs.map((x) => x.rssMiB);
    return [
      `${span * 10} to ${Math.min((span + 1) * 10, Math.ceil(xs[xs.length - 1]!.seconds / 60))} min`,
      xs.reduce((n, x) => n + x.requests, 0).toLocaleString('en-US'),
      Math.min(...rss).toFixed(1),
      median(rss).toFixed(1),
      Math.max(...rss).toFixed(1),
    ];
  });
  return table(['soak', 'requests', 'least RSS MiB', 'median', 'most'], rows);
}
