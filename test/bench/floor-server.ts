/**
 * The floor: what express and PostgreSQL can do at all on this machine. One
 * route, one `SELECT 1` through a pg Pool as large as the app's, no
 * middleware. Every scenario's req/s is read as a ratio of this process's,
 * measured in the same run. Started by the bench: `PORT=… DATABASE_URL=… POOL_MAX=… tsx floor-server.ts`.
 */
import http from 'node:http';
import express from 'express';
import pg from 'pg';

const port = Number(process.env.PORT);
const max = Number(process.env.POOL_MAX);
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max });
const app = express();
app.get('/', async (_req, res) => {
  await pool.query('SELECT 1');
  res.type('text/plain').send('ok');
});
const server = http.createServer(app);
server.listen(port, '127.0.0.1', () => process.stdout.write(`floor listening on ${port}\n`));
process.on('SIGTERM', () => server.close(() => void pool.end().then(() => process.exit(0))));
