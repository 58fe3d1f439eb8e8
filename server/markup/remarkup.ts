/**
 * Phabricator's Remarkup as the Markdown (and references) Trellis's renderer
 * already draws safely: imported text keeps what its authors wrote and is
 * translated each time it is rendered. Only syntax that differs is rewritten;
 * `T123`, `{T123}`, `@name`, `**bold**`, `> quotes` and `` `code` `` read the same in both.
 */

const FENCE = /^\s*```(.*)$/;
const LANG = /^lang=([A-Za-z0-9_+-]+)\s*(?:,.*)?$/;
const CALLOUT = /^(NOTE|WARNING|IMPORTANT):\s*(.*)$|^\((NOTE|WARNING|IMPORTANT)\)\s*(.*)$/;
const HEADER = /^(={1,6})\s*(.+?)\s*=*\s*$/;
const NUMBERED = /^(#+)\s+(.*)$/;
const TABLE_ROW = /^\s*\|.*\|\s*$/;
const TABLE_RULE = /^\s*\|(\s*:?-+:?\s*\|)+\s*$/;
const STRUCTURE = /^\s*([-*+]\s|\d+[.)]\s|>|#|=|\||```)/;

/** Inline syntax outside code spans: //italic//, ##mono##, [[ url | text ]]. */
function inline(text: string): string {
  return text
    .split(/(`[^`]*`)/)
    .map((part, i) => {
      if (i % 2 === 1) return part;
      return part
        .replace(/\[\[\s*([^|\]]+?)\s*\|\s*([^\]]+?)\s*\]\]/g, (_m, url: string, label: string) => `[${label}](${url.replace(/\s/g, '%20')})`)
        .replace(/\[\[\s*([^|\]]+?)\s*\]\]/g, (_m, url: string) => (/^[a-z][a-z0-9+.-]*:\/\//i.test(url) ? `<${url}>` : url))
        .replace(/(?<![:/\w])\/\/(?=\S)(.+?)(?<=\S)\/\/(?!\w)/g, '*$1*')
        .replace(/##(?=\S)(.+?)(?<=\S)##/g, '`$1`');
    })
    .join('');
}

function closeFence(out: string[]): void {
  out.push('```');
}

export function remarkupToMarkdown(source: string): string {
  const lines = source.replace(/\r\n?/g, '\n').split('\n');
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const fence = FENCE.exec(line);
    if (fence) {
      // ```lang=php or ``` then lang=php on the first line; a block closes at a line ending in ```.
      let rest = fence[1]!;
      const oneLine = rest.trimEnd().endsWith('```') && rest.trim().length > 3;
      let lang = '';
      const opts = LANG.exec(rest.trim());
      if (opts) {
        lang = opts[1]!;
        rest = '';
      }
      out.push('```' + lang);
      if (oneLine) {
        out.push(rest.trimEnd().slice(0, -3));
        closeFence(out);
        continue;
      }
      if (rest.trim()) out.push(rest);
      let first = !rest.trim() && !lang;
      for (i++; i < lines.length; i++) {
        const body = lines[i]!;
        const inner = first ? LANG.exec(body.trim()) : null;
        if (inner) {
          out[out.length - 1] = '```' + inner[1];
          first = false;
          continue;
        }
        first = false;
        if (body.trimEnd().endsWith('```')) {
          const last = body.trimEnd().slice(0, -3);
          if (last.trim()) out.push(last);
          break;
        }
        out.push(body);
      }
      closeFence(out);
      continue;
    }
    const lang = i === 0 || !lines[i - 1]!.trim() ? LANG.exec(line.trim()) : null;
    if (lang) {
      // A paragraph that starts with lang=… is a code block up to the next blank line.
      out.push('```' + lang[1]);
      for (i++; i < lines.length && lines[i]!.trim(); i++) out.push(lines[i]!);
      closeFence(out);
      out.push('');
      continue;
    }
    if (/^ {2}\S/.test(line) && (i === 0 || !lines[i - 1]!.trim()) && !/^\s*([-*+]|\d+[.)]|#)\s/.test(line)) {
      // Two spaces of indent start a code block in Remarkup (four in Markdown).
      out.push('```');
      for (; i < lines.length && (lines[i]!.startsWith('  ') || !lines[i]!.trim()) && !(lines[i]!.trim() === '' && !(lines[i + 1] ?? '').startsWith('  ')); i++) {
        out.push(lines[i]!.slice(2));
      }
      i--;
      closeFence(out);
      continue;
    }
    if (TABLE_ROW.test(line) && (i === 0 || !TABLE_ROW.test(lines[i - 1]!))) {
      // Markdown tables need a header rule; Remarkup's are often written without one.
      const cells = line.trim().slice(1, -1).split('|').length;
      out.push(inline(line));
      if (!TABLE_RULE.test(lines[i + 1] ?? '')) out.push('|' + ' --- |'.repeat(cells));
      continue;
    }
    const callout = CALLOUT.exec(line);
    if (callout) {
      // Each callout is a box of its own, even when the next line starts another.
      out.push(`> **${callout[1] ?? callout[3]}:** ${inline(callout[2] ?? callout[4] ?? '')}`, '');
      continue;
    }
    if (/^>/.test(line)) {
      const next = lines[i + 1] ?? '';
      out.push(inline(line) + (/^>\s*\S/.test(next) && line.replace(/^>\s*/, '').trim() ? '\\' : ''));
      continue;
    }
    const header = HEADER.exec(line);
    if (header && line.startsWith('=')) {
      out.push(`${'#'.repeat(header[1]!.length)} ${inline(header[2]!)}`);
      continue;
    }
    const numbered = NUMBERED.exec(line);
    if (numbered) {
      out.push(`${'   '.repeat(numbered[1]!.length - 1)}1. ${inline(numbered[2]!)}`);
      continue;
    }
    // Remarkup keeps a single line break; Markdown joins the lines unless the line ends in a hard break.
    const next = lines[i + 1];
    const hardBreak = line.trim() && next !== undefined && next.trim() && !STRUCTURE.test(next) && !STRUCTURE.test(line) && !NUMBERED.test(next);
    out.push(inline(line) + (hardBreak ? '\\' : ''));
  }
  return out.join('\n');
}
