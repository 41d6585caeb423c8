import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { readLogTail } from './log-tail';
import { describeExit, ExitStatus, ManagedChild } from './managed-child';
import { repoRoot } from './repo-root';

export type AppName = 'membership' | 'storage-node' | 'gateway' | 'replicator';

interface CommonOptions {
  /** Instance name for messages, e.g. `us-east/n1`; default: the app name, or the script's file name. */
  name?: string;
  /** HTTP port (health, metrics, and the API for the gateway); passed as PORT. */
  port: number;
  /** Passed as HOST; default 127.0.0.1. */
  host?: string;
  /** Extra env (GEOKV_REGION, REDIS_URL, DATABASE_URL, ...). Nothing else leaks from our own env. */
  env?: Record<string, string>;
  /** stdout and stderr are appended here, across restarts. */
  logFile: string;
  /** Path polled by waitReady; default /health/ready. */
  readyPath?: string;
}

/** A geokv app (dist/apps/<app>/src/main.js), or any other Node script with an HTTP port, such as the bench's bare server. */
export type AppProcessOptions = CommonOptions & ({ app: AppName; script?: undefined } | { app?: undefined; script: string });

/** Long enough for the gateway to see its first ring; membership publishes it after the nodes register. */
export const DEFAULT_READY_TIMEOUT_MS = 30_000;
const READY_POLL_MS = 100;
const READY_REQUEST_TIMEOUT_MS = 1_000;
/** VmHWM is sampled this often, so a process that dies still reports a recent peak. */
const RSS_SAMPLE_MS = 1_000;

/** One geokv app (or a stand-in script) running as our child process, configured only by env. */
export class AppProcess {
  private child: ManagedChild;
  private peakRss: number | undefined;
  private sampler: NodeJS.Timeout | undefined;

  private constructor(
    private readonly options: AppProcessOptions,
    private readonly script: string,
    private env: NodeJS.ProcessEnv,
    child: ManagedChild,
  ) {
    this.child = child;
    this.watchRss();
  }

  /** Spawns the app; does not wait for readiness (call waitReady). Throws if the app is not built. */
  static async start(options: AppProcessOptions): Promise<AppProcess> {
    const script = options.script ?? join(repoRoot(), 'dist', 'apps', options.app, 'src', 'main.js');
    if (!existsSync(script)) {
      throw new Error(`${script} does not exist${options.app === undefined ? '' : ': run `npm run build` first'}`);
    }
    const env = appEnv(options);
    const child = await spawnNode(options.app, script, env, options.logFile);
    return new AppProcess(options, script, env, child);
  }

  get name(): string {
    return this.options.name ?? this.options.app ?? basename(this.script, '.js');
  }

  get pid(): number {
    return this.child.pid;
  }

  get port(): number {
    return this.options.port;
  }

  get httpUrl(): string {
    return `http://${this.options.host ?? '127.0.0.1'}:${this.options.port}`;
  }

  get logFile(): string {
    return this.options.logFile;
  }

  /** null while running (or if it was killed by a signal). */
  get exitCode(): number | null {
    return this.child.exitStatus?.code ?? null;
  }

  get exitStatus(): ExitStatus | undefined {
    return this.child.exitStatus;
  }

  get isRunning(): boolean {
    return this.child.isRunning;
  }

  /** Resolves when the current incarnation exits (a restart makes a new one). */
  get exited(): Promise<ExitStatus> {
    return this.child.exited;
  }

  logTail(lines = 40): string {
    return readLogTail(this.options.logFile, lines);
  }

  /**
   * Polls GET <readyPath> until it answers 200. Fails at once if the process exits meanwhile, and after
   * `timeoutMs` otherwise; either error carries the last 40 lines of the log.
   */
  async waitReady(timeoutMs = DEFAULT_READY_TIMEOUT_MS): Promise<void> {
    const url = `${this.httpUrl}${this.options.readyPath ?? '/health/ready'}`;
    const deadline = Date.now() + timeoutMs;
    let last = 'no answer yet';
    while (Date.now() < deadline) {
      const probe = fetch(url, { signal: AbortSignal.timeout(READY_REQUEST_TIMEOUT_MS) }).then(
        async (response) => {
          await response.arrayBuffer();
          return `HTTP ${response.status}`;
        },
        describeFetchError,
      );
      const outcome = await Promise.race([probe, this.child.exited]);
      if (typeof outcome !== 'string') {
        throw new Error(`${this.name} exited (${describeExit(outcome)}) before it was ready:\n${this.logTail()}`);
      }
      if (outcome === 'HTTP 200') return;
      last = outcome;
      await sleep(READY_POLL_MS);
    }
    throw new Error(`${this.name} not ready at ${url} after ${timeoutMs} ms (last: ${last}):\n${this.logTail()}`);
  }

  /** Sends `signal` to this PID only. SIGKILL simulates a crash; SIGSTOP/SIGCONT a freeze. Does not wait. */
  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    this.sampleRss();
    this.child.kill(signal);
  }

  /** SIGTERM, up to 10 s for a graceful exit, then SIGKILL. */
  async stop(): Promise<ExitStatus> {
    this.sampleRss();
    return this.child.stop();
  }

  /** Resolves with the exit status; throws if still running after `timeoutMs`. */
  waitExit(timeoutMs: number): Promise<ExitStatus> {
    return this.child.waitExit(timeoutMs);
  }

  /**
   * Stops it if running, then spawns it again with the same env and port, but for `changedEnv`, which
   * holds for every later restart too. Does not wait for readiness.
   */
  async restart(changedEnv: Readonly<Record<string, string>> = {}): Promise<void> {
    await this.stop();
    this.env = { ...this.env, ...changedEnv };
    this.child = await spawnNode(this.options.app, this.script, this.env, this.options.logFile);
    this.watchRss();
  }

  /**
   * Peak resident set (VmHWM) in bytes: read now if the process is alive, else the last value read.
   * The highest value over all incarnations (restarts) is kept. undefined if never read.
   */
  peakRssBytes(): number | undefined {
    this.sampleRss();
    return this.peakRss;
  }

  private watchRss(): void {
    clearInterval(this.sampler);
    this.sampleRss();
    this.sampler = setInterval(() => this.sampleRss(), RSS_SAMPLE_MS);
    this.sampler.unref();
    void this.child.exited.then(() => clearInterval(this.sampler));
  }

  private sampleRss(): void {
    if (!this.child.isRunning) return;
    const kb = readVmHwmKb(this.child.pid);
    if (kb !== undefined) this.peakRss = Math.max(this.peakRss ?? 0, kb * 1024);
  }
}

function appEnv(options: AppProcessOptions): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    ...options.env,
    PORT: String(options.port),
    HOST: options.host ?? '127.0.0.1',
  };
}

/**
 * V8 flags for every app this starts (`npm start`, the tests, the bench): all of them share one machine's
 * cores. V8 collects the young generation with helper threads that, on cores full of other processes,
 * are often not running when the main thread waits for them, so each collection paused the app longer than
 * one thread would have taken. Measured over three regions on two cores at 1,000 replicated writes/s, four
 * alternating pairs: young-generation pauses 5.2–9.7 s against 10.5–16.1 s per 30 s (all apps together),
 * replication lag p50 about 12% lower on average, and p99 495–823 ms against 899–1,098 ms with 50 ms
 * links (without delay, 824–899 ms against 702–866 ms: within the noise).
 */
const APP_NODE_FLAGS = ['--single-threaded-gc'];

/**
 * A storage node's JS heap limit. V8 lets the old generation grow to up to 4x what the last full collection
 * left live when the heap limit is 2 GB or more (the default here is 4 GB), and less on smaller heaps: 1.4x
 * at 512 MB. Under the bench's writes a node keeps about 70 MB live, and V8 mostly chose 1.1-1.4x itself,
 * but now and then far more: a node peaked at 254 and 312 MB of RSS (old generation 174 MB) where others
 * stayed near 220. 512 MB is several times anything a node was measured to hold live (a scan of a million
 * versions peaked near 160 MB of RSS), and the storage node refuses an L1 cache above a quarter of it.
 */
const STORAGE_NODE_FLAGS = ['--max-old-space-size=512'];

/** The V8 flags an app runs with (the same in deploy/k8s). */
export function nodeFlagsFor(app: AppName | undefined): readonly string[] {
  return app === 'storage-node' ? [...APP_NODE_FLAGS, ...STORAGE_NODE_FLAGS] : APP_NODE_FLAGS;
}

/**
 * glibc's malloc for every app this starts. By default it raises its mmap threshold to the size of each
 * large block freed (up to 32 MiB), after which 1 MiB values are carved from the heap arenas, and a heap
 * whose top is still in use cannot give the freed middle back: after a flood of 1 MiB writes the storage
 * nodes kept 530-725 MB resident with 32 MB of JS heap and 52-75 MB of Buffers live. A fixed 128 KiB
 * threshold maps every large block on its own and unmaps it when freed: the same flood peaked at 410-435
 * MB instead of 600-815, and the nodes were back to 200-245 MB a minute later. Small values (the bench's)
 * never reach the threshold.
 */
const APP_MALLOC_ENV = { MALLOC_MMAP_THRESHOLD_: '131072' };

function spawnNode(app: AppName | undefined, script: string, env: NodeJS.ProcessEnv, logFile: string): Promise<ManagedChild> {
  // cwd = repo root: the apps' contract (they may resolve files relative to it).
  return ManagedChild.spawn(process.execPath, [...nodeFlagsFor(app), script], { env: { ...APP_MALLOC_ENV, ...env }, cwd: repoRoot(), logFile });
}

/** fetch() reports every failure as "fetch failed"; the useful part (ECONNREFUSED...) is in its cause. */
function describeFetchError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  return error.cause instanceof Error ? error.cause.message : error.message;
}

function readVmHwmKb(pid: number): number | undefined {
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    // Exited between our isRunning check and the read: keep the previous sample.
    return undefined;
  }
  const match = /^VmHWM:\s+(\d+)\s+kB$/m.exec(status);
  return match ? Number(match[1]) : undefined;
}
