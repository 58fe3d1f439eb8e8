/**
 * Cuts what a mail client adds to a reply: the quoted original with the line
 * that introduces it, Outlook's header block, "-- " signatures and "Sent from
 * my phone" lines. Everything here works line by line with string methods or
 * anchored patterns without nested repetition, so its cost grows linearly
 * with the size of the mail, however hostile.
 */

/** "On <date>, <person> wrote:" as clients write it in a few languages: the opening word and the closing phrase. */
const ATTRIBUTIONS: readonly [start: string, end: string][] = [
  ['On ', 'wrote:'],
  ['Am ', 'schrieb'],
  ['Le ', 'a écrit'],
  ['El ', 'escribió'],
  ['Il ', 'ha scritto'],
  ['Op ', 'geschreven'],
  ['Op ', 'schreef'],
  ['Em ', 'escreveu'],
  ['Den ', 'skrev'],
];

/** The first words of the header lines Outlook puts above the original, per language. */
const OUTLOOK_FROM = ['from:', 'von:', 'de :', 'de:', 'da:', 'van:'];
const OUTLOOK_SENT = ['sent:', 'date:', 'gesendet:', 'datum:', 'envoyé :', 'envoyé:', 'date :', 'enviado:', 'enviado el:', 'inviato:', 'data:', 'verzonden:'];

/** Separators that some clients put above a forwarded or replied-to original. */
const ORIGINAL_MESSAGE = ['original message', 'ursprüngliche nachricht', "message d'origine", 'mensaje original', 'messaggio originale', 'oorspronkelijk bericht', 'mensagem original'];

/** Lines mobile clients append; only cut when they end the reply. */
const DEVICE_LINES = ['sent from my ', 'sent from mail for ', 'sent from outlook', 'get outlook for ', 'sent from yahoo mail', 'von meinem ', 'envoyé de mon '];

/** The line with surrounding whitespace and the bold markers text renderings of HTML put around labels. */
function bare(line: string): string {
  const s = line.trim();
  let from = 0;
  while (s[from] === '*') from++;
  return s.slice(from).replace('*', '').trim().toLowerCase();
}

function isAttribution(line: string): boolean {
  const s = line.trim();
  if (!s.endsWith(':')) return false;
  return ATTRIBUTIONS.some(([start, end]) => s.startsWith(start) && s.includes(end));
}

function opensAttribution(line: string): boolean {
  const s = line.trimStart();
  return ATTRIBUTIONS.some(([start]) => s.startsWith(start));
}

function isOriginalMessage(line: string): boolean {
  const s = line.trim();
  if (!s.startsWith('--') && !s.startsWith('__')) return false;
  let from = 0;
  let to = s.length;
  while (from < to && (s[from] === '-' || s[from] === '_' || s[from] === ' ')) from++;
  while (to > from && (s[to - 1] === '-' || s[to - 1] === '_' || s[to - 1] === ' ')) to--;
  return ORIGINAL_MESSAGE.includes(s.slice(from, to).toLowerCase());
}

/** A separator drawn with one character: Outlook's row of underscores, an HTML rule rendered as dashes. */
function isRule(line: string): boolean {
  const s = line.trim();
  if (s.length < 10) return false;
  const c = s[0];
  if (c !== '_' && c !== '-' && c !== '=') return false;
  for (const ch of s) if (ch !== c) return false;
  return true;
}

/** "From: …" followed within a few lines by "Sent: …" (or its translation): Outlook's block above the original. */
function isOutlookHeader(lines: string[], i: number): boolean {
  const first = bare(lines[i]!);
  if (!OUTLOOK_FROM.some((p) => first.startsWith(p))) return false;
  for (let j = i + 1; j < Math.min(lines.length, i + 5); j++) {
    const s = bare(lines[j]!);
    if (OUTLOOK_SENT.some((p) => s.startsWith(p))) return true;
  }
  return false;
}

function isQuoted(line: string): boolean {
  return line.trimStart().startsWith('>');
}

function isSignatureMark(line: string): boolean {
  return line === '-- ' || line === '--';
}

function nextFilled(lines: string[], i: number): string | undefined {
  for (let j = i; j < lines.length; j++) if (lines[j]!.trim()) return lines[j];
  return undefined;
}

/**
 * Finds the original a reply carries. Returns the line where an unquoted
 * original starts (everything from there goes), and the lines that only
 * introduce a quote written with "> " (those go alone, so that text written
 * below or between the quotes stays).
 */
function findOriginal(lines: string[]): { cut: number; introductions: Set<number> } {
  const introductions = new Set<number>();
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (isOriginalMessage(line) || isOutlookHeader(lines, i)) return { cut: i > 0 && isRule(lines[i - 1]!) ? i - 1 : i, introductions };
    if (isRule(line) && i + 1 < lines.length && isOutlookHeader(lines, i + 1)) return { cut: i, introductions };
    // Gmail folds a long attribution over two lines.
    const span = isAttribution(line) ? 1 : i + 1 < lines.length && opensAttribution(line) && isAttribution(`${line.trim()} ${lines[i + 1]!.trim()}`) ? 2 : 0;
    if (!span) continue;
    const next = nextFilled(lines, i + span);
    if (next === undefined || !isQuoted(next)) return { cut: i, introductions };
    for (let k = 0; k < span; k++) introductions.add(i + k);
    i += span - 1;
  }
  return { cut: lines.length, introductions };
}

function trimBlankEnds(lines: string[]): string[] {
  let from = 0;
  let to = lines.length;
  while (from < to && !lines[from]!.trim()) from++;
  while (to > from && !lines[to - 1]!.trim()) to--;
  return lines.slice(from, to);
}

/** The new text of a reply, without what it quotes or signs off with. */
export function stripQuotedText(text: string): string {
  const all = text.replace(/\r\n?/g, '\n').split('\n');
  const { cut, introductions } = findOriginal(all);
  let lines = all.slice(0, cut).filter((l, i) => !introductions.has(i) && !isQuoted(l));
  const signature = lines.findIndex(isSignatureMark);
  if (signature >= 0) lines = lines.slice(0, signature);
  return collapseBlankRuns(withoutDeviceLine(trimBlankEnds(lines))).join('\n');
}

/** A signature is short; a "-- " line followed by more than this is not one to cut. */
const MAX_SIGNATURE_LINES = 10;

/**
 * A new mail (one that creates a task) without its signature and "Sent from"
 * line. Quoted text stays: in a forwarded report it is the report.
 */
export function stripSignature(text: string): string {
  let lines = text.replace(/\r\n?/g, '\n').split('\n');
  let mark = -1;
  for (let i = lines.length - 1; i >= 0 && mark < 0; i--) if (isSignatureMark(lines[i]!)) mark = i;
  if (mark >= 0 && lines.slice(mark + 1).filter((l) => l.trim()).length <= MAX_SIGNATURE_LINES) lines = lines.slice(0, mark);
  return collapseBlankRuns(withoutDeviceLine(trimBlankEnds(lines))).join('\n');
}

function withoutDeviceLine(lines: string[]): string[] {
  const last = lines.length - 1;
  if (last >= 0 && DEVICE_LINES.some((p) => lines[last]!.trim().toLowerCase().startsWith(p))) return trimBlankEnds(lines.slice(0, last));
  return lines;
}

/** Removing quotes leaves holes: more than one blank line in a row reads as one. */
function collapseBlankRuns(lines: string[]): string[] {
  const out: string[] = [];
  for (const line of lines) {
    const blank = !line.trim();
    if (blank && out.length && !out[out.length - 1]!.trim()) continue;
    out.push(blank ? '' : line.trimEnd());
  }
  return out;
}
