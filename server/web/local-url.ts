/** A stand-in origin: an address that resolves against it to another origin leaves this site. */
const HERE = 'http://trellis.invalid';

/**
 * A user-supplied return address (login's `next`, a bulk edit's `back`) as a
 * path on this site, or null when it could lead anywhere else. Browsers drop
 * tabs and newlines from a URL and read `\` as `/`, so `/<TAB>/evil.example`
 * and `/\evil.example` are other sites to them: such characters are refused
 * outright, the rest is read the way a browser reads it, and what comes back
 * is the normalised path, never the raw text.
 */
export function localUrl(raw: unknown): string | null {
  if (typeof raw !== 'string' || !raw.startsWith('/')) return null;
  // Controls, spaces and backslashes never occur in an address Trellis makes.
  if (/[\u0000-\u0020\u007f-\u009f\\]/.test(raw)) return null;
  let url: URL;
  try {
    url = new URL(raw, HERE);
  } catch {
    return null;
  }
  if (url.origin !== HERE) return null;
  const local = url.pathname + url.search + url.hash;
  // Dot segments can normalise into a leading `//` (`/..//evil.example`), which is another host again.
  return local.startsWith('//') ? null : local;
}

/** `localUrl`, or `fallback` when the address is not a safe local one. */
export function safeLocalUrl(raw: unknown, fallback = '/'): string {
  return localUrl(raw) ?? fallback;
}
