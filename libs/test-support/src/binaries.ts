import { accessSync, constants, existsSync, readdirSync, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** A program we need is not installed; the message names the Debian package that provides it. */
export class MissingBinaryError extends Error {
  constructor(
    readonly binary: string,
    readonly debianPackage: string,
    searched: string,
  ) {
    super(`${binary} was not found (${searched}). Install it: apt-get install -y ${debianPackage}`);
    this.name = 'MissingBinaryError';
  }
}

/** Absolute path of `redis-server` on PATH. Throws MissingBinaryError otherwise. */
export function redisServerBinary(): string {
  const found = findOnPath('redis-server');
  if (found === undefined) throw new MissingBinaryError('redis-server', 'redis-server', 'searched PATH');
  return found;
}

export type PostgresProgram = 'initdb' | 'pg_ctl';

/**
 * Absolute path of a PostgreSQL server program: PATH first, then the newest /usr/lib/postgresql/<v>/bin,
 * because Debian's `postgresql` package does not put initdb and pg_ctl on PATH.
 */
export function postgresBinary(program: PostgresProgram): string {
  const found = findOnPath(program) ?? findInDebianPostgres(program);
  if (found === undefined) {
    throw new MissingBinaryError(program, 'postgresql', 'searched PATH and /usr/lib/postgresql/*/bin');
  }
  return found;
}

function findOnPath(program: string): string | undefined {
  const dirs = (process.env.PATH ?? '').split(delimiter).filter((dir) => dir !== '');
  return dirs.map((dir) => join(dir, program)).find(isExecutable);
}

function findInDebianPostgres(program: string): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((name) => /^\d+(\.\d+)?$/.test(name))
    .sort((a, b) => Number(b) - Number(a));
  return versions.map((version) => join(root, version, 'bin', program)).find(isExecutable);
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    // Not there or not executable: both mean "keep looking".
    return false;
  }
}
