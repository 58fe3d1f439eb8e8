import { DatabaseUnavailableError, isDatabaseUnavailable } from '../../server/db/unavailable';

/** Errors as node-postgres, knex and Node's sockets raise them (the outage tests raise the real ones). */
const withCode = (code: string, message = 'x') => Object.assign(new Error(message), { code });

describe('telling an unreachable database from a refused query', () => {
  test.each([
    ['the pool timed out', Object.assign(new Error('Knex: Timeout acquiring a connection. The pool is probably full.'), { name: 'KnexTimeoutError' })],
    ['connection refused', withCode('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432')],
    ['connection reset', withCode('ECONNRESET')],
    ['host unreachable', withCode('EHOSTUNREACH')],
    ['unknown host', withCode('ENOTFOUND')],
    ['every address refused', Object.assign(new AggregateError([withCode('ECONNREFUSED'), withCode('ECONNREFUSED')]), {})],
    ['connect timeout', new Error('timeout expired')],
    ['connection lost', new Error('Connection terminated unexpectedly')],
    ['no answer, knex naming the statement first', new Error('select 1 - Query read timeout')],
    ['a client already broken', new Error('ROLLBACK - Client has encountered a connection error and is not queryable')],
    ['server shutting down', withCode('57P01', 'terminating connection due to administrator command')],
    ['server starting up', withCode('57P03', 'the database system is starting up')],
    ['too many connections', withCode('53300', 'sorry, too many clients already')],
    ['connection exception class', withCode('08006')],
    ['statement timeout', withCode('57014', 'canceling statement due to statement timeout')],
    ['already classified', new DatabaseUnavailableError()],
  ])('%s: unavailable', (_what, err) => {
    expect(isDatabaseUnavailable(err)).toBe(true);
  });

  test.each([
    ['a unique violation', withCode('23505', 'duplicate key value violates unique constraint')],
    ['a syntax error', withCode('42601', 'syntax error at or near "x"')],
    ['too many parameters', new Error('bind message has 70000 parameter formats but 0 parameters')],
    ['a deadlock', withCode('40P01')],
    ['a plain bug', new TypeError("Cannot read properties of undefined (reading 'id')")],
    ['a pool this process already closed', new Error('Unable to acquire a connection')],
    ['an aggregate of mixed failures', new AggregateError([withCode('ECONNREFUSED'), new Error('bug')])],
    ['nothing at all', undefined],
    ['a string', 'ECONNREFUSED'],
  ])('%s: not unavailable', (_what, err) => {
    expect(isDatabaseUnavailable(err)).toBe(false);
  });
});
