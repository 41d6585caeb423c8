import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { postgresBinary } from './binaries';
import { readLogTail } from './log-tail';
import { probeCommand, runCommand } from './run-command';

export interface PostgresClusterOptions {
  /** Data directory; an initialized one is reused, so its databases survive across runs. */
  dir: string;
  port: number;
}

/** After a crash the stale postmaster.pid can block a start for about a second (see STACK.md). */
const START_ATTEMPTS = 3;
const START_RETRY_MS = 700;

/**
 * A PostgreSQL cluster of our own under a directory, for `npm start` when no server is given.
 * PostgreSQL refuses to run as root, so as root every server command runs as the `postgres` user.
 */
export class PostgresCluster {
  private constructor(
    readonly dir: string,
    readonly port: number,
  ) {}

  /** Trust-auth superuser `postgres` on 127.0.0.1:<port>; connect here to create databases. */
  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  get logFile(): string {
    return join(this.dir, 'log');
  }

  /** initdb (unless DIR is already initialized), then `pg_ctl start -w`. */
  static async start(options: PostgresClusterOptions): Promise<PostgresCluster> {
    const dir = resolve(options.dir);
    if (dir.includes("'")) throw new Error(`PostgreSQL data dir must not contain a quote: ${dir}`);
    const cluster = new PostgresCluster(dir, options.port);
    await cluster.prepareDir();
    if (!existsSync(join(dir, 'PG_VERSION'))) {
      await asServerUser(postgresBinary('initdb'), ['-D', dir, '-A', 'trust', '-U', 'postgres']);
    }
    // A postmaster left over from a launcher that was killed: restart it so it gets our options.
    if ((await cluster.pgCtlProbe(['status'])) === 0) await cluster.stop();
    await cluster.startServer();
    return cluster;
  }

  /** `pg_ctl stop -m fast`: disconnects clients, then checkpoints, so the data is kept. */
  async stop(): Promise<void> {
    await asServerUser(postgresBinary('pg_ctl'), ['-D', this.dir, '-m', 'fast', '-w', 'stop']);
  }

  /** `pg_ctl stop -m immediate`: a crash, as far as clients and recovery can tell. */
  async crash(): Promise<void> {
    await asServerUser(postgresBinary('pg_ctl'), ['-D', this.dir, '-m', 'immediate', '-w', 'stop']);
  }

  /** Starts the server again on the same directory and port (after stop() or crash()). */
  async restart(): Promise<void> {
    await this.startServer();
  }

  private async startServer(): Promise<void> {
    // -k DIR: the Unix socket goes in our own dir, not /var/run/postgresql, which may not exist or be writable.
    const serverOptions = `-p ${this.port} -k '${this.dir}' -c listen_addresses=127.0.0.1`;
    const args = ['-D', this.dir, '-o', serverOptions, '-l', this.logFile, '-w', '-t', '60', 'start'];
    for (let attempt = 1; ; attempt++) {
      try {
        await asServerUser(postgresBinary('pg_ctl'), args);
        return;
      } catch (error) {
        if (attempt >= START_ATTEMPTS) {
          const reason = error instanceof Error ? error.message : String(error);
          throw new Error(`${reason}\nlast lines of ${this.logFile}:\n${readLogTail(this.logFile)}`, { cause: error });
        }
        await sleep(START_RETRY_MS);
      }
    }
  }

  private async prepareDir(): Promise<void> {
    // Default modes: a 0700 parent (e.g. .data) would lock the postgres user out; initdb tightens DIR itself.
    mkdirSync(this.dir, { recursive: true });
    if (!runsAsRoot()) return;
    await runCommand('chown', ['-R', 'postgres:postgres', this.dir]);
    // The postgres user must also be able to reach DIR through its parents (e.g. a checkout under /root can't).
    if ((await probeCommand('runuser', ['-u', 'postgres', '--', 'test', '-w', this.dir, '-a', '-x', this.dir])) !== 0) {
      throw new Error(
        `PostgreSQL runs as user postgres here (it refuses root), but postgres cannot write ${this.dir}: ` +
          'make its parent directories traversable, or set DATABASE_URL to an existing server.',
      );
    }
  }

  private pgCtlProbe(args: readonly string[]): Promise<number> {
    const [command, argv] = serverUserCommand(postgresBinary('pg_ctl'), ['-D', this.dir, ...args]);
    return probeCommand(command, argv);
  }
}

function runsAsRoot(): boolean {
  return process.getuid?.() === 0;
}

function serverUserCommand(command: string, args: readonly string[]): [string, string[]] {
  return runsAsRoot() ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, [...args]];
}

function asServerUser(command: string, args: readonly string[]): Promise<unknown> {
  const [actual, argv] = serverUserCommand(command, args);
  return runCommand(actual, argv);
}

/** Same as PostgresCluster.start(options). */
export function startPostgresCluster(options: PostgresClusterOptions): Promise<PostgresCluster> {
  return PostgresCluster.start(options);
}
