import type pg from 'pg';
import { COMMON_WORDS, RARE_WORDS } from './words';

/** The peers' search shape: a result list of about this many tasks, whatever the seeded size. */
export const SEARCH_MATCHES = 100;

/**
 * Queries from broad to narrow, so one lands near 100 matches at any size
 * from 10,000 to a few million tasks: one rare word (about 3% of tasks), a
 * common and a rare word (about 1%), two rare words (about 0.1%), then three
 * rare words (about 0.004%) OR-ed with one to three more such triples
 * (websearch syntax: AND binds tighter than OR).
 */
export function searchCandidates(): string[] {
  const [a, b, ...more] = RARE_WORDS.slice(0, 6) as [string, string, ...string[]];
  const common = COMMON_WORDS.slice(0, 16);
  const triples = more.map((c) => `${a} ${b} ${c}`);
  return [
    a,
    b,
    ...common.flatMap((c) => [`${c} ${a}`, `${c} ${b}`]),
    ...[b, ...more].map((c) => `${a} ${c}`),
    ...triples.map((_, i) => triples.slice(0, i + 1).join(' or ')),
  ];
}

/** The query whose match count is nearest the target on a log scale (60 and 166 are equally far from 100); the first on a tie. */
export function nearestSearch(counts: [string, number][], target = SEARCH_MATCHES): { text: string; matches: number } {
  let best: { text: string; matches: number } | null = null;
  let bestDistance = Infinity;
  for (const [text, matches] of counts) {
    const distance = Math.abs(Math.log(Math.max(matches, 0.5) / target));
    if (distance < bestDistance) {
      best = { text, matches };
      bestDistance = distance;
    }
  }
  if (!best) throw new Error('No search to choose from.');
  return best;
}

/** Counts each candidate's matches as the list's filter does (the task's own text), and picks the nearest to 100. */
export async function chooseSearch(c: pg.Client): Promise<{ text: string; matches: number }> {
  const counts: [string, number][] = [];
  for (const text of searchCandidates()) {
    const r = await c.query(`SELECT count(*)::int AS n FROM tasks WHERE search_vector @@ websearch_to_tsquery('english', $1)`, [text]);
    counts.push([text, r.rows[0].n]);
  }
  return nearestSearch(counts);
}
