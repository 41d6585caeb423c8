import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { guardChild, releaseChild } from './orphan-guard';

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface SpawnOptions {
  env: NodeJS.ProcessEnv;
  cwd?: string;
  /** stdout and stderr are appended here by the child itself, so a busy parent never stalls it. */
  logFile: string;
}

/** How long a child gets to exit after SIGTERM before SIGKILL. */
export const DEFAULT_STOP_GRACE_MS = 10_000;

/**
 * One child process that we spawned and own. Every signal goes to its PID only: we never signal by
 * name or process group, so nothing we did not start can be hit.
 */
export class ManagedChild {
  private status: ExitStatus | undefined;
  /** Resolves once the child has exited; never rejects. */
  readonly exited: Promise<ExitStatus>;

  private constructor(
    private readonly child: ChildProcess,
    readonly pid: number,
  ) {
    guardChild(pid);
    // Set synchronously in the 'exit' handler so isRunning is never stale.
    this.exited = new Promise<ExitStatus>((resolve) => {
      child.once('exit', (code, signal) => {
        releaseChild(pid);
        const status = { code, signal };
        this.status = status;
        resolve(status);
      });
    });
  }

  static async spawn(command: string, args: readonly string[], options: SpawnOptions): Promise<ManagedChild> {
    mkdirSync(dirname(options.logFile), { recursive: true });
    const log = openSync(options.logFile, 'a');
    try {
      // detached: its own process group, so a terminal's Ctrl-C reaches only our launcher (see orphan-guard).
      const child = spawn(command, args, {
        cwd: options.cwd,
        env: options.env,
        stdio: ['ignore', log, log],
        detached: true,
      });
      await new Promise<void>((resolve, reject) => {
        child.once('spawn', resolve);
        child.once('error', reject);
      });
      if (child.pid === undefined) throw new Error(`${command} started without a pid`);
      return new ManagedChild(child, child.pid);
    } finally {
      // The child holds its own copy of the descriptor.
      closeSync(log);
    }
  }

  get exitStatus(): ExitStatus | undefined {
    return this.status;
  }

  get isRunning(): boolean {
    return this.status === undefined;
  }

  /** Sends `signal` to this PID. A no-op once the child has exited (its PID may belong to someone else by then). */
  kill(signal: NodeJS.Signals): void {
    if (this.isRunning) this.child.kill(signal);
  }

  /** Resolves when the child exits; throws if it is still running after `timeoutMs`. */
  async waitExit(timeoutMs: number): Promise<ExitStatus> {
    const status = await this.exitWithin(timeoutMs);
    if (status === undefined) throw new Error(`pid ${this.pid} still running after ${timeoutMs} ms`);
    return status;
  }

  /** SIGTERM, then SIGKILL after `graceMs`. Safe to call on an exited child. */
  async stop(graceMs = DEFAULT_STOP_GRACE_MS): Promise<ExitStatus> {
    if (!this.isRunning) return this.exited;
    this.kill('SIGTERM');
    // A SIGSTOPped child (fault injection) would hold SIGTERM pending forever; let it run to handle it.
    this.kill('SIGCONT');
    const status = await this.exitWithin(graceMs);
    if (status !== undefined) return status;
    // Graceful shutdown timed out; SIGKILL cannot be ignored, so this wait always ends.
    this.kill('SIGKILL');
    return this.exited;
  }

  private async exitWithin(timeoutMs: number): Promise<ExitStatus | undefined> {
    const timeout = sleep(timeoutMs, undefined, { ref: false });
    return Promise.race([this.exited, timeout]);
  }
}

/** "exit code 3" / "signal SIGKILL", for error messages. */
export function describeExit(status: ExitStatus): string {
  return status.signal !== null ? `signal ${status.signal}` : `exit code ${String(status.code)}`;
}
