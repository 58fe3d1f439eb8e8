import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { onPostgres } from '../support/db';
import { emptyPostgresDatabase } from '../support/empty-database';
import { deliver } from '../support/inbound';
import { launch, runCli, type Proc } from '../support/process';

/** The inbound listener as `npm start` runs it: started from the configuration file, stopped with the server. */

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

function waitFor(proc: Proc, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = () => {
      if (proc.stdout().includes(text)) resolve();
    };
    proc.child.stdout!.on('data', check);
    proc.exited.then((e) => reject(new Error(`The server exited (${e.code ?? e.signal}) before saying "${text}":\n${e.stdout}${e.stderr}`)));
    check();
  });
}

const connects = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });

describe('the inbound listener of a running server', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trellis-inbound-'));
  let settings: Record<string, string>;
  let drop: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    if (onPostgres()) {
      const db = await emptyPostgresDatabase();
      drop = db.drop;
      settings = { DATABASE_URL: db.url };
    } else {
      settings = { DATA_DIR: path.join(dir, 'data') };
    }
  });

  afterAll(async () => {
    await drop?.();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('starts from the configuration file, takes mail, and stops with the server', async () => {
    const smtpPort = await freePort();
    const config = path.join(dir, 'trellis.json');
    fs.writeFileSync(config, JSON.stringify({ mail: { replyDomain: 'reply.trellis.test', inbound: { host: '127.0.0.1', port: smtpPort }, createAddress: 'bugs@reply.trellis.test' } }));
    const added = await runCli(['user', 'add', 'alice', '--role', 'engineer', '--email', 'alice@example.com'], settings, 'a long enough password\n');
    expect(added.code).toBe(0);

    const server = launch('server/main.ts', [], { ...settings, PORT: String(await freePort()), TRELLIS_CONFIG: config });
    try {
      await waitFor(server, `Trellis is receiving mail for reply.trellis.test on 127.0.0.1:${smtpPort}`);
      const answer = await deliver(smtpPort, { envelope: { from: 'alice@example.com', to: ['bugs@reply.trellis.test'] }, from: 'alice@example.com', to: 'bugs@reply.trellis.test', subject: 'Made by mail', text: 'Hello.' });
      expect(answer).toMatchObject({ ok: true, code: 250 });
      await waitFor(server, '"outcome":"created"');
    } finally {
      server.child.kill('SIGTERM');
    }
    const exit = await server.exited;
    expect(exit.stdout).toContain('stopped cleanly');
    expect(exit.code).toBe(0);
    expect(await connects(smtpPort)).toBe(false);

    const listed = await runCli(['mail', 'inbound'], settings);
    expect(listed.code).toBe(0);
    expect(listed.stdout.replace(/\n$/, '').split('\t')).toEqual([expect.stringMatching(/^\d+$/), expect.stringMatching(/^2\d{3}-/), 'created', 'create', 'alice@example.com', 'T1', '']);

    // The port taken by another program: the server says so and exits, without a stack.
    const squatter = net.createServer();
    await new Promise<void>((resolve) => squatter.listen(smtpPort, '127.0.0.1', resolve));
    try {
      const refused = await launch('server/main.ts', [], { ...settings, PORT: String(await freePort()), TRELLIS_CONFIG: config }).exited;
      expect(refused.code).toBe(1);
      expect(refused.stderr).toBe(`Invalid configuration:\n  - TRELLIS_CONFIG mail.inbound.port: ${smtpPort} is in use on 127.0.0.1 by another program; choose another port.\n`);
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
    }
  }, 120_000);
});
