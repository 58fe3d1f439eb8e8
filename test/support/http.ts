import type { Express } from 'express';
import { parse, type HTMLElement } from 'node-html-parser';
import request from 'supertest';
import { PASSWORD } from './factories';

/** Visible text of an HTML fragment, whitespace collapsed, entities decoded. */
export function textOf(html: string | HTMLElement): string {
  const root = typeof html === 'string' ? parse(html) : html;
  return root.textContent.replace(/\s+/g, ' ').trim();
}

export interface Page {
  status: number;
  html: string;
  dom: HTMLElement;
  text: string;
  location: string | undefined;
}

function toPage(res: request.Response): Page {
  const html = res.text ?? '';
  const dom = parse(html);
  return { status: res.status, html, dom, text: textOf(dom.querySelector('main') ?? dom), location: res.headers.location };
}

/**
 * A person with a browser: a cookie jar, pages fetched with GET, forms posted
 * with the CSRF token read from the page the form is on.
 */
export class Browser {
  readonly agent: ReturnType<typeof request.agent>;

  constructor(app: Express) {
    this.agent = request.agent(app);
  }

  async get(path: string): Promise<Page> {
    return toPage(await this.agent.get(path));
  }

  /** The CSRF token a page's forms carry. */
  async csrf(path = '/login'): Promise<string> {
    const page = await this.get(path);
    const token = page.dom.querySelector('input[name="__csrf__"]')?.getAttribute('value');
    if (!token) throw new Error(`No CSRF token on ${path} (status ${page.status})`);
    return token;
  }

  /** Posts a form as the page at `from` would, CSRF token included. */
  async post(path: string, fields: Record<string, string | string[]>, from = '/maniphest/'): Promise<Page> {
    const token = await this.csrf(from);
    return this.postRaw(path, { __csrf__: token, ...fields });
  }

  /** Posts exactly the given fields: no CSRF token unless included. */
  async postRaw(path: string, fields: Record<string, string | string[]>): Promise<Page> {
    return toPage(await this.agent.post(path).type('form').send(fields));
  }

  async login(username: string, password = PASSWORD): Promise<Page> {
    const page = await this.post('/login', { username, password }, '/login');
    if (page.status !== 303) throw new Error(`Login as ${username} failed with ${page.status}: ${page.text}`);
    return page;
  }
}

export async function loggedIn(app: Express, username: string): Promise<Browser> {
  const b = new Browser(app);
  await b.login(username);
  return b;
}

/** The timeline's sentences, one string per line, in page order. */
export function timelineLines(page: Page): string[] {
  return page.dom.querySelectorAll('.timeline .event').map((e) => textOf(e));
}

/** The fields a browser would submit from a form on the page, as the page filled them in. */
export function formValues(page: Page, formSelector: string): Record<string, string> {
  const form = page.dom.querySelector(formSelector);
  if (!form) throw new Error(`No form ${formSelector} on the page (status ${page.status})`);
  const values: Record<string, string> = {};
  for (const el of form.querySelectorAll('input[name], textarea[name], select[name]')) {
    const name = el.getAttribute('name')!;
    // Browsers drop one newline right after <textarea>, so a page must print one to keep a leading newline.
    if (el.tagName === 'TEXTAREA') values[name] = el.textContent.replace(/^\r?\n/, '');
    else if (el.tagName === 'SELECT') {
      const options = el.querySelectorAll('option');
      const chosen = options.find((o) => o.hasAttribute('selected')) ?? options[0];
      values[name] = chosen?.getAttribute('value') ?? '';
    } else values[name] = el.getAttribute('value') ?? '';
  }
  return values;
}

/** The error shown right beside a form control (after it, or after the label around it), if any. */
export function fieldError(page: Page, name: string, formSelector = 'form'): string | null {
  const control = page.dom.querySelector(`${formSelector} [name="${name}"]`);
  if (!control) throw new Error(`No control named ${name} in ${formSelector}`);
  const anchor = control.parentNode?.tagName === 'LABEL' ? control.parentNode : control;
  const next = anchor.nextElementSibling;
  return next?.classList.contains('field-error') ? textOf(next) : null;
}
