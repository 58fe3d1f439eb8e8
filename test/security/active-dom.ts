/**
 * In the page: every element, attribute and link that could run code. The
 * app's pages load their scripts, stylesheets and icon from /static/ (which no
 * request can write to), and the bulk-edit page refreshes itself; nothing
 * else of these kinds may appear.
 */
export function activeInDom(): string[] {
  const problems: string[] = [];
  const safe = new Set(['http:', 'https:', 'mailto:']);
  for (const el of Array.from(document.querySelectorAll('*'))) {
    const tag = el.localName;
    for (const a of Array.from(el.attributes)) {
      if (/^on/i.test(a.name)) problems.push(`<${tag} ${a.name}="${a.value}">`);
      if (a.name === 'style' || a.name === 'srcdoc' || a.name === 'formaction') problems.push(`<${tag} ${a.name}="${a.value}">`);
    }
    if (['iframe', 'frame', 'frameset', 'object', 'embed', 'applet', 'base', 'svg', 'math', 'style', 'noscript', 'template'].includes(tag)) problems.push(`element <${tag}>`);
    if (tag === 'script' && !/^\/static\/js\/[a-z-]+\.js$/.test(el.getAttribute('src') ?? '')) problems.push(`script ${el.outerHTML.slice(0, 80)}`);
    const href = el.getAttribute('href') ?? '';
    const layoutLink = /^\/static\/css\/[a-z-]+\.css$/.test(href) || (el.getAttribute('rel') === 'icon' && /^\/static\/img\/[a-z-]+\.svg$/.test(href));
    if (tag === 'link' && !layoutLink) problems.push(`link ${el.outerHTML.slice(0, 80)}`);
    if (tag === 'meta' && el.hasAttribute('http-equiv') && !/^[0-9]+$/.test(el.getAttribute('content') ?? '')) problems.push(`meta ${el.outerHTML.slice(0, 80)}`);
    const url = tag === 'a' || tag === 'area' ? (el as HTMLAnchorElement).href : tag === 'form' ? (el as HTMLFormElement).action : tag === 'img' ? (el as HTMLImageElement).src : '';
    // What the browser could not parse as a URL, it can not follow either.
    const scheme = url && URL.canParse(url) ? new URL(url).protocol : null;
    if (scheme && !safe.has(scheme)) problems.push(`<${tag}> to ${url.slice(0, 80)}`);
  }
  return problems;
}
