import MarkdownIt from 'markdown-it';

const SAFE_SCHEMES = new Set(['http:', 'https:', 'mailto:']);

/** Allows http, https, mailto and relative URLs; everything else (javascript:, data:, …) is refused. */
export function isSafeUrl(url: string): boolean {
  // Browsers ignore control characters and spaces inside a scheme; so must we.
  const compact = url.replace(/[\u0000-\u0020\u007f-\u009f]/g, '').toLowerCase();
  const scheme = /^([a-z][a-z0-9+.-]*):/.exec(compact);
  if (!scheme) return true;
  return SAFE_SCHEMES.has(scheme[1] + ':');
}

function createMarkdown() {
  const md = new MarkdownIt({ html: false, linkify: true, typographer: false, breaks: false });
  md.validateLink = isSafeUrl;
  const defaultLinkOpen = md.renderer.rules.link_open ?? ((tokens, idx, options, _env, self) => self.renderToken(tokens, idx, options));
  md.renderer.rules.link_open = (tokens, idx, options, env, self) => {
    const token = tokens[idx]!;
    const href = String(token.attrGet('href') ?? '');
    if (/^[a-z][a-z0-9+.-]*:/i.test(href) || href.startsWith('//')) token.attrSet('rel', 'nofollow noopener noreferrer');
    return defaultLinkOpen(tokens, idx, options, env, self);
  };
  return md;
}

const md = createMarkdown();

/** Markdown to safe HTML: raw HTML is escaped, links are limited to safe schemes. */
export function renderMarkdown(text: string): string {
  return md.render(text);
}
