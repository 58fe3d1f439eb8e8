/**
 * Search box text. PostgreSQL's websearch syntax already reads words, "quoted
 * phrases", -excluded words and OR; Trellis adds title:word (titles only).
 */
export interface ParsedText {
  /** For websearch_to_tsquery; empty when only title terms were given. */
  web: string;
  /** Words that must match in the title (weight A). Letters and digits only. */
  titleWords: string[];
}

export function parseSearchText(text: string): ParsedText {
  const titleWords: string[] = [];
  const web = text
    .replace(/(^|\s)title:("([^"]*)"|(\S+))/gi, (_m, lead: string, _all, quoted: string | undefined, word: string | undefined) => {
      for (const w of (quoted ?? word ?? '').split(/[^\p{L}\p{N}]+/u)) if (w) titleWords.push(w.toLowerCase());
      return lead;
    })
    .trim();
  return { web, titleWords };
}

/** "T123" alone in the search box means "take me to T123". */
export function taskJump(text: string): number | null {
  const m = /^\s*T([1-9][0-9]{0,9})\s*$/i.exec(text);
  return m && Number(m[1]) <= 2147483647 ? Number(m[1]) : null;
}
