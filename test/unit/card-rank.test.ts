import fc from 'fast-check';
import { isRank, rankBetween } from '../../server/projects/rank';

describe('card ranks', () => {
  test('a rank between any two neighbours, at any place, stays between them and valid', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(), { minLength: 1, maxLength: 300 }), (places) => {
        const keys = [rankBetween(null, null)];
        for (const p of places) {
          const at = p % (keys.length + 1);
          const key = rankBetween(at > 0 ? keys[at - 1]! : null, at < keys.length ? keys[at]! : null);
          expect(isRank(key)).toBe(true);
          if (at > 0) expect(keys[at - 1]! < key).toBe(true);
          if (at < keys.length) expect(key < keys[at]!).toBe(true);
          keys.splice(at, 0, key);
        }
      }),
    );
  });

  test('placing cards first or last again and again keeps keys short', () => {
    let first = rankBetween(null, null);
    let last = first;
    for (let i = 0; i < 10000; i++) {
      first = rankBetween(null, first);
      last = rankBetween(last, null);
    }
    expect([first.length, last.length]).toEqual([10, 10]);
  });

  test('neighbours given the wrong way round still give a rank after the first', () => {
    const a = rankBetween(null, null);
    const b = rankBetween(a, null);
    expect(rankBetween(b, a) > b).toBe(true);
  });
});
