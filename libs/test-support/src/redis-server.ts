import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { redisServerBinary } from './binaries';
import { freePort } from './free-port';
import { readLogTail } from './log-tail';
import { describeExit, ManagedChild } from './managed-child';

export interface RedisServerOptions {
  /** Default: a free port from the OS (retried if another process wins the race for it). */
  port?: number;
  /** `--appendonly yes`, so data survives restart(); default false (`--save '' --appendonly no`). */
  appendOnly?: boolean;
  /** Working directory (append-only files live here). Default: a fresh temp dir, removed by stop(). */
  dir?: string;
  /** Default: `<dir>/redis.log`. */
  logFile?: string;
}

/** Redis answers PING within milliseconds of starting; this only guards against a wedged start. */
const READY_TIMEOUT_MS = 10_000;
const PORT_RACE_ATTEMPTS = 3;

/** A throwaway redis-server that we run as a child process (never daemonized) and address by PID only. */
export class RedisServer {
  private child: ManagedChild;

  private constructor(
    readonly port: number,
    readonly dir: string,
    readonly logFile: string,
    private readonly args: readonly string[],
    private readonly ownsDir: boolean,
    child: ManagedChild,
  ) {
    this.child = child;
  }

  /** Starts redis-server and resolves once it answers PING. Throws with its log tail if it does not. */
  static async start(options: RedisServerOptions = {}): Promise<RedisServer> {
    const binary = redisServerBinary();
    const ownsDir = options.dir === undefined;
    const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'geokv-redis-'));
    mkdirSync(dir, { recursive: true });
    const logFile = options.logFile ?? join(dir, 'redis.log');
    const attempts = options.port === undefined ? PORT_RACE_ATTEMPTS : 1;
    for (let attempt = 1; ; attempt++) {
      const port = options.port ?? (await freePort());
      const args = redisArgs(port, dir, options.appendOnly ?? false);
      const child = await ManagedChild.spawn(binary, args, { env: { PATH: process.env.PATH }, cwd: dir, logFile });
      try {
        await waitForPing(port, child, logFile);
        return new RedisServer(port, dir, logFile, args, ownsDir, child);
      } catch (error) {
        await child.stop();
        const lostPortRace = readLogTail(logFile, 5).includes('Address already in use');
        if (!(lostPortRace && attempt < attempts)) {
          if (ownsDir) rmSync(dir, { recursive: true, force: true });
          throw error;
        }
      }
    }
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** PID of the current redis-server process (it changes on restart). */
  get pid(): number {
    return this.child.pid;
  }

  get isRunning(): boolean {
    return this.child.isRunning;
  }

  /** Sends a signal to this redis-server's PID: SIGKILL to crash it, SIGSTOP/SIGCONT to freeze it. */
  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    this.child.kill(signal);
  }

  /** Stops it (if running) and starts it again on the same port and dir, then waits for PING. */
  async restart(): Promise<void> {
    await this.child.stop();
    const binary = redisServerBinary();
    this.child = await ManagedChild.spawn(binary, this.args, {
      env: { PATH: process.env.PATH },
      cwd: this.dir,
      logFile: this.logFile,
    });
    await waitForPing(this.port, this.child, this.logFile);
  }

  /** SIGTERM (redis then writes its AOF and exits), SIGKILL after a grace period; removes a temp dir we made. */
  async stop(): Promise<void> {
    await this.child.stop();
    if (this.ownsDir) rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * Values travel between the apps over pub/sub, and Redis's default output-buffer limit for pub/sub
 * clients (32 MB hard) disconnects a gateway that is sent a burst of large values faster than it reads
 * them (64 concurrent reads of 1 MiB values are ~90 MB of replies). Every Redis a region uses needs a
 * higher limit; the README says so for operators.
 */
export const PUBSUB_OUTPUT_BUFFER_LIMIT = 'pubsub 512mb 128mb 60';

function redisArgs(port: number, dir: string, appendOnly: boolean): string[] {
  return [
    '--client-output-buffer-limit', PUBSUB_OUTPUT_BUFFER_LIMIT,
    '--port', String(port),
    '--bind', '127.0.0.1',
    '--save', '',
    '--appendonly', appendOnly ? 'yes' : 'no',
    '--dir', dir,
    '--daemonize', 'no',
  ];
}

async function waitForPing(port: number, child: ManagedChild, logFile: string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const status = child.exitStatus;
    if (status !== undefined) {
      throw new Error(`redis-server on port ${port} exited (${describeExit(status)}):\n${readLogTail(logFile)}`);
    }
    if (await answersPing(port)) return;
    await sleep(20);
  }
  throw new Error(`redis-server on port ${port} did not answer PING within ${READY_TIMEOUT_MS} ms:\n${readLogTail(logFile)}`);
}

/** One raw `PING` over TCP: no client library, so no reconnect loop or noise while it is still starting. */
export function answersPing(port: number, host = '127.0.0.1', timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, host);
    let reply = '';
    const finish = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => finish(false));
    socket.once('error', () => finish(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk.toString('latin1');
      if (reply.includes('\r\n')) finish(reply.startsWith('+PONG'));
    });
  });
}

/** Same as RedisServer.start(options). */
export function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServer> {
  return RedisServer.start(options);
}
