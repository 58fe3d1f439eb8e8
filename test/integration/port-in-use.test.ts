import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { onPostgres } from '../support/db';
import { emptyPostgresDatabase } from '../support/empty-database';
import { launch } from '../support/process';

/** A port some other program listens on, as when a second `npm start` runs beside the first. */
function occupiedPort(): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const server = net.createServer((socket) => socket.destroy());
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

describe('starting on a port another program holds', () => {
  let holder: net.Server;
  let dataDir: string;

  beforeAll(async () => {
    holder = await occupiedPort();
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'trellis-port-'));
  });
  afterAll(async () => {
    await new Promise((resolve) => holder.close(resolve));
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  test('exits non-zero saying the port is in use, never claiming to listen, and lets go of its database', async () => {
    const port = (holder.address() as net.AddressInfo).port;
    const database = onPostgres() ? await emptyPostgresDatabase() : null;
    try {
      const settings: Record<string, string> = database ? { DATABASE_URL: database.url } : { DATA_DIR: dataDir };
      const exit = await launch('server/main.ts', [], { ...settings, PORT: String(port) }).exited;
      expect(exit.code).toBe(1);
      expect(exit.stderr).toContain(`Trellis could not start: port ${port} is in use on 127.0.0.1 by another program. Stop that program, or set PORT to another port.`);
      expect(exit.stderr).not.toContain('    at ');
      expect(exit.stdout).not.toContain('listening');
      // The embedded folder is free again for the next start.
      if (!database) expect(fs.existsSync(path.join(dataDir, 'trellis.lock'))).toBe(false);
    } finally {
      await database?.drop();
    }
    // The other program still has its port.
    expect(holder.listening).toBe(true);
  }, 120_000);
});
