import type { AppProcess } from './app-process';

export interface ExportMeasure {
  format: string;
  rows: number;
  mebibytes: number;
  seconds: number;
  rssBeforeMiB: number;
  rssPeakMiB: number;
}

/**
 * Downloads a whole list as a file, reading the body as it streams in, and
 * samples the app's memory meanwhile: a streamed export keeps it flat whatever
 * the number of rows.
 */
export async function measureExport(app: AppProcess, cookie: string, path: string, format: 'csv' | 'json'): Promise<ExportMeasure> {
  const rssBeforeMiB = app.rssMiB();
  let rssPeakMiB = rssBeforeMiB;
  const sampler = setInterval(() => (rssPeakMiB = Math.max(rssPeakMiB, app.rssMiB())), 100);
  const started = performance.now();
  try {
    const res = await fetch(`${app.baseUrl}${path}`, { headers: { cookie } });
    if (res.status !== 200 || !res.body) throw new Error(`${path} answered ${res.status}`);
    let bytes = 0;
    let newlines = 0;
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      bytes += chunk.length;
      for (const b of chunk) if (b === 10) newlines++;
    }
    const seconds = (performance.now() - started) / 1000;
    // CSV: a header line, then a line per task. JSON: "[", an object per line, then "]" on a line of its own.
    const rows = format === 'csv' ? newlines - 1 : newlines - 2;
    return { format, rows, mebibytes: bytes / 2 ** 20, seconds, rssBeforeMiB, rssPeakMiB: Math.max(rssPeakMiB, app.rssMiB()) };
  } finally {
    clearInterval(sampler);
  }
}
