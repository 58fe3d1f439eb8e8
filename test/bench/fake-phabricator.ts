import http from 'node:http';

/**
 * A Phabricator that makes its answers up as they are asked for: `tasks`
 * tasks, each with `xacts` transactions (create, title, description,
 * priority, owner, subscribers, then comments), by `people` people. Nothing
 * is held: every page is computed from the numbers in the request. Started
 * as its own process by import-bench.ts, so its memory is not the importer's.
 */

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';
const code = (n: number, width: number) => {
  let s = '';
  for (let v = n; v > 0; v = Math.floor(v / 32)) s = ALPHABET[v % 32] + s;
  return s.padStart(width, 'a');
};
const userPhid = (n: number) => `PHID-USER-${code(n, 20)}`;
const taskPhid = (n: number) => `PHID-TASK-${code(n, 20)}`;
const xactPhid = (task: number, k: number) => `PHID-XACT-TASK-${code(task * 64 + k, 15)}`;
const BASE = 1_500_000_000;

export function startFakePhabricator(opts: { tasks: number; xacts: number; people: number }, port = 0): Promise<http.Server> {
  const { tasks, xacts, people } = opts;
  const user = (n: number) => userPhid(1 + (n % people));
  const description = (id: number) => `Steps for T${id}:\n# open the page\n# press **save**\n\n\`\`\`lang=js\nsave(${id});\n\`\`\``;
  const taskOf = (id: number) => ({
    id,
    type: 'TASK',
    phid: taskPhid(id),
    fields: {
      name: `Task number ${id} about //something//`,
      description: { raw: description(id) },
      authorPHID: user(id),
      ownerPHID: user(id * 7),
      status: { value: id % 4 ? 'open' : 'resolved', name: id % 4 ? 'Open' : 'Resolved' },
      priority: { value: 80, name: 'High' },
      closerPHID: id % 4 ? null : user(id * 7),
      dateClosed: id % 4 ? null : BASE + id * 60 + xacts,
      dateCreated: BASE + id * 60,
      dateModified: BASE + id * 60 + xacts,
      policy: { view: 'users', interact: 'users', edit: 'users' },
    },
    attachments: { subscribers: { subscriberPHIDs: [user(id), user(id * 7)] }, projects: { projectPHIDs: [] } },
  });
  const xactOf = (id: number, k: number) => {
    const base = { id: id * 64 + k, phid: xactPhid(id, k), authorPHID: k < 6 ? user(id) : user(id * 7), objectPHID: taskPhid(id), dateCreated: BASE + id * 60 + k, groupID: null, comments: [] as unknown[], fields: {} as unknown };
    const kinds = [
      () => ({ ...base, type: 'create' }),
      () => ({ ...base, type: 'title', fields: { old: null, new: `Task number ${id} about //something//` } }),
      () => ({ ...base, type: 'description', fields: { old: null, new: description(id) } }),
      () => ({ ...base, type: 'priority', fields: { old: { value: 90, name: 'Needs Triage' }, new: { value: 80, name: 'High' } } }),
      () => ({ ...base, type: 'owner', fields: { old: null, new: user(id * 7) } }),
      () => ({ ...base, type: 'subscribers', fields: { operations: [{ operation: 'add', phid: user(id) }] } }),
    ];
    if (k < kinds.length) return kinds[k]!();
    const text = `Comment ${k} on T${id}; it looks like T${Math.max(1, id - 1)} to @user${1 + ((id * 7) % people)}.`;
    return { ...base, type: 'comment', comments: [{ authorPHID: base.authorPHID, dateCreated: base.dateCreated, removed: false, content: { raw: text } }] };
  };

  const answer = (method: string, p: Record<string, unknown>): unknown => {
    const limit = Math.min(100, Number(p.limit ?? 100));
    const after = p.after === undefined ? 0 : Number(p.after);
    if (method === 'user.search') {
      const data = [];
      for (let n = after + 1; n <= Math.min(people, after + limit); n++) {
        data.push({ id: n, type: 'USER', phid: userPhid(n), fields: { username: `user${n}`, realName: `User ${n}`, roles: ['verified', 'approved', 'activated'], dateCreated: BASE } });
      }
      return { data, cursor: { after: after + limit < people ? String(after + limit) : null } };
    }
    if (method === 'project.search') return { data: [], cursor: { after: null } };
    if (method === 'maniphest.status.search') return { data: [{ value: 'open', name: 'Open', closed: false }, { value: 'resolved', name: 'Resolved', closed: true }] };
    if (method === 'maniphest.search') {
      if (p.order === 'newest') return { data: [taskOf(tasks)], cursor: { after: null } };
      const data = [];
      for (let id = after + 1; id <= Math.min(tasks, after + limit); id++) data.push(taskOf(id));
      return { data, cursor: { after: after + limit < tasks ? String(after + limit) : null } };
    }
    if (method === 'transaction.search') {
      const id = decode(String(p.objectIdentifier).slice(10));
      const data = [];
      // Newest first, as Phabricator pages them.
      for (let k = xacts - 1; k >= 0; k--) data.push(xactOf(id, k));
      return { data, cursor: { after: null } };
    }
    return null;
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const method = (req.url ?? '').replace(/^\/api\//, '');
      const params = JSON.parse(new URLSearchParams(Buffer.concat(chunks).toString()).get('params') ?? '{}');
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ result: answer(method, params), error_code: null, error_info: null }));
    });
  });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)));
}

function decode(s: string): number {
  let n = 0;
  for (const ch of s) n = n * 32 + ALPHABET.indexOf(ch);
  return n;
}

if (require.main === module) {
  const [tasks, xacts, people] = process.argv.slice(2).map(Number);
  startFakePhabricator({ tasks: tasks!, xacts: xacts!, people: people! }).then((server) => {
    const address = server.address();
    process.stdout.write(`${typeof address === 'object' && address ? address.port : ''}\n`);
  });
}
