import pg from 'pg';
import { otherClients, otherClientsProblem } from '../bench/other-clients';
import { onPostgres } from '../support/db';
import { adminQuery, databaseUrl } from '../support/targets';

// The embedded database takes one client at a time: there is nobody else to find.
(onPostgres() ? describe : describe.skip)('the bench refuses to measure beside other clients of its database (PostgreSQL only)', () => {
  const admin = process.env.TRELLIS_TEST_ADMIN_URL!;
  const name = `trellis_test_${process.env.TRELLIS_TEST_RUN}_others`;
  const clients: pg.Client[] = [];
  const connect = async (applicationName?: string) => {
    const c = new pg.Client({ connectionString: databaseUrl(name, admin), application_name: applicationName });
    await c.connect();
    clients.push(c);
    return c;
  };

  beforeAll(() => adminQuery(`CREATE DATABASE ${name}`, admin));
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.end()));
    await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`, admin);
  });

  test('alone on the database, the run goes ahead', async () => {
    const bench = await connect('bench');
    const others = await otherClients(bench);
    expect(others.count).toBe(0);
    expect(otherClientsProblem(others, false)).toBeNull();
  });

  test('an app left running there is counted, named and refused, unless the run allows it', async () => {
    const bench = clients[0]!;
    await connect('left-over app');
    await connect('left-over app');
    await connect();
    const others = await otherClients(bench);
    expect(others.count).toBe(3);
    expect(others.described).toBe('2 from 127.0.0.1 (left-over app), 1 from 127.0.0.1');
    const refusal = otherClientsProblem(others, false);
    expect(refusal).toContain('2 from 127.0.0.1 (left-over app), 1 from 127.0.0.1');
    expect(refusal).toContain('--allow-other-clients');
    expect(otherClientsProblem(others, true)).toBeNull();
  });
});
