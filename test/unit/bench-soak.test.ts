import { soakSummary, type SoakSample } from '../bench/soak';

describe("the soak's summary", () => {
  const cells = (out: string, first: string) =>
    out
      .split('\n')
      .find((l) => l.startsWith(`| ${first}`))!
      .split('|')
      .map((c) => c.trim())
      .slice(1, -1);

  test('groups the samples by ten minutes, each with its requests and its least, median and most RSS', () => {
    const samples: SoakSample[] = Array.from({ length: 25 }, (_v, i) => ({ seconds: 60 * (i + 1), requests: 1000, rssMiB: 500 + (i % 10) }));
    samples[3]!.rssMiB = 620;
    const out = soakSummary(samples);
    expect(cells(out, '0 to 10 min')).toEqual(['0 to 10 min', '10,000', '500.0', '505.5', '620.0']);
    expect(cells(out, '10 to 20 min')).toEqual(['10 to 20 min', '10,000', '500.0', '504.5', '509.0']);
    // The last span ends where the soak did.
    expect(cells(out, '20 to 25 min')).toEqual(['20 to 25 min', '5,000', '500.0', '502.0', '504.0']);
  });

  test('a soak shorter than a minute is one span', () => {
    expect(cells(soakSummary([{ seconds: 30, requests: 42, rssMiB: 300 }]), '0 to 1 min')).toEqual(['0 to 1 min', '42', '300.0', '300.0', '300.0']);
  });
});
