import { parse, type HTMLElement } from 'node-html-parser';

/**
 * Text that tries to become active markup once rendered: scripts, event
 * handlers, dangerous URL schemes, entity and encoding tricks, Markdown
 * nested with HTML, and reference syntax wrapped around all of them. Each
 * entry stays under 255 characters so it also fits a task title.
 */
export const XSS_PAYLOADS: readonly string[] = [
  // Script tags.
  '<script>alert(1)</script>',
  '<SCRIPT>alert(1)</SCRIPT>',
  '<ScRiPt>alert(1)</sCrIpT>',
  '<script src="https://evil.example/x.js"></script>',
  '<script/src=//evil.example/x.js></script>',
  '<script\n>alert(1)</script>',
  '<<script>alert(1);//<</script>',
  '<script>alert(String.fromCharCode(88,83,83))</script>',
  '</script><script>alert(1)</script>',
  '<scr<script>ipt>alert(1)</scr</script>ipt>',
  '"><script>alert(1)</script>',
  "'><script>alert(1)</script>",
  '</textarea><script>alert(1)</script>',
  '</title><script>alert(1)</script>',
  '<!--<script>alert(1)</script>-->',
  '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
  // Event handlers on raw HTML.
  '<img src=x onerror=alert(1)>',
  '<img src="x" onerror="alert(1)">',
  '<IMG SRC=x OnErRoR=alert(1)>',
  '<img/src=x/onerror=alert(1)>',
  '<img src=x onerror\n=alert(1)>',
  '<svg onload=alert(1)>',
  '<svg/onload=alert(1)>',
  '<svg><script>alert(1)</script></svg>',
  '<body onload=alert(1)>',
  '<div onmouseover="alert(1)">hover</div>',
  '<a onclick="alert(1)">click</a>',
  '<input autofocus onfocus=alert(1)>',
  '<details open ontoggle=alert(1)>',
  '<video><source onerror=alert(1)></video>',
  '<audio src=x onerror=alert(1)>',
  '<marquee onstart=alert(1)>',
  '<select autofocus onfocus=alert(1)>',
  '<textarea autofocus onfocus=alert(1)>',
  '<keygen autofocus onfocus=alert(1)>',
  '<iframe src="javascript:alert(1)"></iframe>',
  '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
  '<object data="javascript:alert(1)"></object>',
  '<embed src="javascript:alert(1)">',
  '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>',
  '<style>body{background:url(javascript:alert(1))}</style>',
  '<p style="background:url(javascript:alert(1))">x</p>',
  '<link rel=stylesheet href=javascript:alert(1)>',
  '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
  '<base href="javascript:alert(1)//">',
  '<form action="javascript:alert(1)"><button>go</button></form>',
  '<button formaction="javascript:alert(1)">go</button>',
  '<isindex action=javascript:alert(1) type=image>',
  '<x onclick=alert(1)>click',
  // Dangerous schemes in Markdown links, images, references and autolinks.
  '[click](javascript:alert(1))',
  '[click](JaVaScRiPt:alert(1))',
  '[click]( javascript:alert(1) )',
  '[click](<javascript:alert(1)>)',
  '[click](javascript:alert(1) "title")',
  '[click](javascript://%0aalert(1))',
  '[click](javascript&colon;alert(1))',
  '[click](jav&#x61;script:alert(1))',
  '[click](&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1))',
  '[click](&#x6A;&#x61;&#x76;&#x61;&#x73;&#x63;&#x72;&#x69;&#x70;&#x74;&#x3A;alert(1))',
  '[click](jav&#x09;ascript:alert(1))',
  '[click](java&NewLine;script:alert(1))',
  '[click](java%0ascript:alert(1))',
  '[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)',
  '[click](DATA:text/html,<script>alert(1)</script>)',
  '[click](vbscript:msgbox(1))',
  '[click](VBScript:msgbox(1))',
  '[click](file:///etc/passwd)',
  '[click][x]\n\n[x]: javascript:alert(1)',
  '[click][x]\n\n[x]: <javascript:alert(1)> "t"',
  '![img](javascript:alert(1))',
  '![img](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)',
  '![img](x" onerror="alert(1))',
  '![x" onerror="alert(1)](/a.png)',
  '[x](/a" onclick="alert(1))',
  '[x](https://ok.example/ "a\\" onmouseover=\\"alert(1)")',
  '<javascript:alert(1)>',
  '<JAVASCRIPT:alert(1)>',
  '<data:text/html,<script>alert(1)</script>>',
  '<vbscript:msgbox(1)>',
  'javascript:alert(1)',
  'https://ok.example/"><script>alert(1)</script>',
  'https://ok.example/?q=<img src=x onerror=alert(1)>',
  'www.ok.example/<svg onload=alert(1)>',
  // Entities and encodings.
  '&lt;script&gt;alert(1)&lt;/script&gt;',
  '&#60;script&#62;alert(1)&#60;/script&#62;',
  '&#x3C;img src=x onerror=alert(1)&#x3E;',
  '&amp;lt;script&amp;gt;alert(1)',
  '\\<script>alert(1)\\</script>',
  '%3Cscript%3Ealert(1)%3C/script%3E',
  '\\u003cscript\\u003ealert(1)\\u003c/script\\u003e',
  '＜script＞alert(1)＜/script＞',
  '<scr\u0000ipt>alert(1)</script>',
  '<img src=x onerror=&#97;&#108;&#101;&#114;&#116;(1)>',
  '"onmouseover="alert(1)',
  "' onmouseover='alert(1)",
  '`onmouseover=alert(1)`',
  '" autofocus onfocus="alert(1)" x="',
  // Markdown nested with HTML.
  '**<script>alert(1)</script>**',
  '*<img src=x onerror=alert(1)>*',
  '`<script>alert(1)</script>`',
  '```html\n<script>alert(1)</script>\n```',
  '```"><script>alert(1)</script>\nx\n```',
  '```javascript onload=alert(1)\nalert(1)\n```',
  '    <script>alert(1)</script>',
  '> <script>alert(1)</script>',
  '- [ ] <img src=x onerror=alert(1)>',
  '| <script>alert(1)</script> |\n|---|\n| <svg onload=alert(1)> |',
  '# <iframe src=javascript:alert(1)>',
  '[<img src=x onerror=alert(1)>](https://ok.example/)',
  '[**click**](javascript:alert(1))',
  '<div>\n\n[click](javascript:alert(1))\n\n</div>',
  '<a href="javascript:alert(1)">[click](https://ok.example/)</a>',
  '~~<script>alert(1)</script>~~',
  '[a](<https://ok.example/"onclick="alert(1)>)',
  // References wrapped around payloads.
  '{T1}',
  'T1 {T2} T3#4 @alice',
  '{T1}<script>alert(1)</script>',
  '<script>{T1}</script>',
  '<a href="{T1}">x</a>',
  '[{T1}](javascript:alert(1))',
  '[T1](javascript:alert(1))',
  '[x](T1 "{T2}")',
  '![{T1}](javascript:alert(1))',
  'T1"><img src=x onerror=alert(1)>',
  '{T1}"onmouseover="alert(1)',
  '**{T1}**<svg onload=alert(1)>',
  '<img src="T1" onerror="alert(1)">',
  '{T1}#<script>alert(1)</script>',
  'T1#1"><script>alert(1)</script>',
  '`{T1}`<img src=x onerror=alert(1)>',
  '@alice<script>alert(1)</script>',
  '<script>@alice</script>',
  '@alice"><img src=x onerror=alert(1)>',
  '[@alice](javascript:alert(1))',
  '@alice.<svg/onload=alert(1)>',
  '**@alice**<iframe src=javascript:alert(1)>',
];

/** Tags that run code, load active content or restyle the page. */
const FORBIDDEN_TAGS = new Set(['script', 'iframe', 'frame', 'frameset', 'object', 'embed', 'applet', 'style', 'svg', 'math', 'link', 'meta', 'base']);
/** Attributes that hold a URL the browser may follow or load. */
const URL_ATTRIBUTES = ['href', 'src', 'action', 'formaction', 'srcset', 'xlink:href', 'data', 'poster', 'background', 'cite'];
const SAFE_SCHEMES = new Set(['http', 'https', 'mailto']);

/**
 * The scheme a browser would read from a URL, or null for a relative one.
 * Written apart from the app's own check, so a mistake there shows here.
 */
function schemeOf(url: string): string | null {
  const compact = url.replace(/[\u0000-\u0020\u007f-\u009f]/g, '').toLowerCase();
  const m = /^([a-z][a-z0-9+.-]*):/.exec(compact);
  return m ? m[1]! : null;
}

/** The tags every page's layout ships in its head: the only such tags a page may hold. */
export const LAYOUT_TAGS: readonly string[] = [
  '<meta charset="utf-8">',
  '<meta name="viewport" content="width=device-width, initial-scale=1">',
  '<link rel="icon" href="/static/img/favicon.svg" type="image/svg+xml">',
  '<link rel="stylesheet" href="/static/css/trellis.css">',
  '<script src="/static/js/typeahead.js" defer></script>',
  '<script src="/static/js/trellis.js" defer></script>',
  '<script src="/static/js/task-graph.js" defer></script>',
  '<script src="/static/js/live.js" defer></script>',
  '<script src="/static/js/upload.js" defer></script>',
  '<script src="/static/js/shortcuts.js" defer></script>',
];

export interface ScanOptions {
  /** Exact tags the page itself ships, each expected once and removed before the scan. */
  own?: readonly string[];
}

/**
 * Every sign of active markup in an HTML document or fragment, one sentence
 * each; an empty list means nothing in it can run.
 */
export function activeMarkup(html: string, opts: ScanOptions = {}): string[] {
  let source = html;
  const problems: string[] = [];
  for (const own of opts.own ?? []) {
    const count = source.split(own).length - 1;
    if (count !== 1) problems.push(`the page holds its own ${own} ${count} times`);
    source = source.replace(own, '');
  }
  // A raw look first: the parser below is lenient and might hide an odd tag.
  const raw = /<\/?(script|iframe|frame|object|embed|applet|style|svg|math|link|meta|base)\b/gi;
  for (const m of source.matchAll(raw)) problems.push(`raw tag ${m[0]}`);
  // Script and style keep their content as text; everything else is parsed, code blocks included.
  const root = parse(source, { comment: false, blockTextElements: { script: true, style: true } });
  for (const el of root.querySelectorAll('*') as HTMLElement[]) {
    const tag = el.rawTagName.toLowerCase();
    if (FORBIDDEN_TAGS.has(tag)) problems.push(`element <${tag}>`);
    for (const [name, value] of Object.entries(el.attributes)) {
      const attr = name.toLowerCase();
      if (attr.startsWith('on')) problems.push(`<${tag} ${attr}="${value}">`);
      if (attr === 'style') problems.push(`<${tag} style="${value}">`);
      if (attr === 'srcdoc') problems.push(`<${tag} srcdoc>`);
      if (URL_ATTRIBUTES.includes(attr)) {
        const scheme = schemeOf(value);
        if (scheme !== null && !SAFE_SCHEMES.has(scheme)) problems.push(`<${tag} ${attr}="${value}">`);
      }
    }
  }
  return problems;
}
