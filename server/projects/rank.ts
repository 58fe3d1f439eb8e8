/**
 * Card ranks: strings ordered bytewise, with a key between any two. The first
 * ten characters are a base-36 integer (so placing a card first or last in a
 * column adds 1 or takes 1, and keys stay short); a fraction after them only
 * grows when cards are squeezed between two neighbours again and again.
 */

const DIGITS = '0123456789abcdefghijklmnopqrstuvwxyz';
const WIDTH = 10;
const MAX = 36 ** WIDTH - 1;
const MIDDLE = Math.floor(MAX / 2);

function parse(key: string): { int: number; frac: string } {
  return { int: parseInt(key.slice(0, WIDTH), 36), frac: key.slice(WIDTH) };
}

function format(int: number, frac: string): string {
  return int.toString(36).padStart(WIDTH, '0') + frac;
}

const digit = (c: string | undefined) => (c === undefined ? 0 : DIGITS.indexOf(c));

/** A fraction strictly between a and b (b null: 1); neither ends in "0", nor does the result. */
function midpoint(a: string, b: string | null): string {
  if (b !== null) {
    let n = 0;
    while ((a[n] ?? '0') === b[n]) n++;
    if (n > 0) return b.slice(0, n) + midpoint(a.slice(n), b.slice(n));
  }
  const da = digit(a[0]);
  const db = b === null ? DIGITS.length : digit(b[0]);
  if (db - da > 1) return DIGITS[Math.round((da + db) / 2)]!;
  if (b !== null && b.length > 1) return b.slice(0, 1);
  return DIGITS[da]! + midpoint(a.slice(1), null);
}

export function isRank(key: string): boolean {
  return key.length >= WIDTH && /^[0-9a-z]+$/.test(key) && !/0$/.test(key.slice(WIDTH));
}

/** A rank after `a` and before `b`; null means the start or the end of the column. */
export function rankBetween(a: string | null, b: string | null): string {
  if (a !== null && b !== null && a >= b) b = null;
  if (a === null && b === null) return format(MIDDLE, '');
  if (a === null) {
    const B = parse(b!);
    if (B.frac) return format(B.int, '');
    // 1.8e15 cards placed first one after another, from the middle.
    if (B.int === 0) throw new Error('No rank is left before the first card.');
    return format(B.int - 1, '');
  }
  const A = parse(a);
  if (b === null) return A.int < MAX ? format(A.int + 1, '') : format(A.int, midpoint(A.frac, null));
  const B = parse(b);
  if (B.int - A.int > 1) return format(Math.floor((A.int + B.int) / 2), '');
  if (B.int - A.int === 1) return B.frac ? format(B.int, '') : format(A.int, midpoint(A.frac, null));
  return format(A.int, midpoint(A.frac, B.frac));
}
