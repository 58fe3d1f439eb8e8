import type { ConduitMethod } from '../../conduit/method';

/** The API console's view models: documentation, examples and the try-it form of each method. */

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** Flattens parameters into the plain form fields curl sends: constraints[statuses][0]=open. */
function formFields(value: unknown, prefix: string, out: [string, string][]): [string, string][] {
  if (Array.isArray(value)) value.forEach((v, i) => formFields(v, `${prefix}[${i}]`, out));
  else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) formFields(v, prefix ? `${prefix}[${k}]` : k, out);
  else out.push([prefix, value === true ? '1' : value === false ? '0' : value === null ? '' : String(value)]);
  return out;
}

function curlExample(baseUrl: string, m: ConduitMethod): string {
  const data = formFields(m.example, '', []).map(([k, v]) => `--data-urlencode ${shellQuote(`${k}=${v}`)}`);
  if (m.needsToken) data.unshift('--data-urlencode api.token=api-xxxxxxxxxxxxxxxxxxxxxxxxxxxx');
  // Without data curl would send a GET; Conduit calls are POSTs.
  return [`curl ${data.length ? '' : '-X POST '}${baseUrl}/api/${m.name}`, ...data].join(' \\\n    ');
}

function jsonExample(baseUrl: string, m: ConduitMethod): string {
  const params = JSON.stringify(m.needsToken ? { ...m.example, __conduit__: { token: 'api-xxxxxxxxxxxxxxxxxxxxxxxxxxxx' } } : m.example);
  return `curl ${baseUrl}/api/${m.name} \\\n    --data-urlencode ${shellQuote(`params=${params}`)}`;
}

export function methodListModel(methods: readonly ConduitMethod[]) {
  return methods.map((m) => ({ name: m.name, url: `/conduit/method/${m.name}/`, summary: m.summary, needsToken: m.needsToken }));
}

export function methodPageModel(
  m: ConduitMethod,
  baseUrl: string,
  input: Record<string, unknown> | null,
  answer: unknown,
) {
  const typed = (name: string): string => {
    const given = input?.[name];
    if (typeof given === 'string') return given;
    return name in m.example ? JSON.stringify(m.example[name]) : '';
  };
  return {
    name: m.name,
    summary: m.summary,
    needsToken: m.needsToken,
    params: m.docs.map((d) => ({ ...d, field: `params[${d.name}]`, value: typed(d.name) })),
    curl: curlExample(baseUrl, m),
    curlJson: jsonExample(baseUrl, m),
    action: `/conduit/method/${m.name}/`,
    answer: answer === undefined ? null : JSON.stringify(answer, null, 2),
  };
}
