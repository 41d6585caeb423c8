import { isDatabaseUnavailable } from './database-unavailable';

function errorWith(message: string, code?: string): Error {
  return Object.assign(new Error(message), code === undefined ? {} : { code });
}

describe('isDatabaseUnavailable', () => {
  it.each([
    ['too many connections', errorWith('sorry, too many clients already', '53300')],
    ['admin shutdown', errorWith('terminating connection due to administrator command', '57P01')],
    ['starting up', errorWith('the database system is starting up', '57P03')],
    ['connection failure', errorWith('connection failure', '08006')],
    ['server down', errorWith('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED')],
    ['connection dropped', errorWith('Connection terminated unexpectedly')],
    ['pool connect timeout', errorWith('timeout exceeded when trying to connect')],
  ])('%s: unavailable', (_name, error) => {
    expect(isDatabaseUnavailable(error)).toBe(true);
  });

  it.each([
    ['syntax error', errorWith('syntax error at or near "SELEC"', '42601')],
    ['unique violation', errorWith('duplicate key value violates unique constraint', '23505')],
    ['a bug of ours', new TypeError("Cannot read properties of undefined (reading 'clock')")],
    ['not an Error', { code: '53300' }],
  ])('%s: not unavailable', (_name, error) => {
    expect(isDatabaseUnavailable(error)).toBe(false);
  });
});
