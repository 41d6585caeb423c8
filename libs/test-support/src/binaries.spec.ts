import { existsSync } from 'node:fs';
import { MissingBinaryError, postgresBinary, redisServerBinary } from './binaries';

describe('binaries', () => {
  // These machines must have both installed (.ci/run installs them); a missing one fails, it is not skipped.
  it('finds redis-server, initdb and pg_ctl', () => {
    for (const path of [redisServerBinary(), postgresBinary('initdb'), postgresBinary('pg_ctl')]) {
      expect(existsSync(path)).toBe(true);
    }
  });

  it('names the Debian package to install when a binary is missing', () => {
    const saved = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      expect(() => redisServerBinary()).toThrow(new MissingBinaryError('redis-server', 'redis-server', 'searched PATH'));
      expect(() => redisServerBinary()).toThrow('apt-get install -y redis-server');
    } finally {
      process.env.PATH = saved;
    }
  });
});
