import type { OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { PeriodicTask } from './periodic-task';

/**
 * A provider that runs `runOnce` every `intervalMs` from application bootstrap to shutdown (a tick is
 * skipped while the previous run is still going). `stopped` turns true at shutdown, for long runs to check.
 */
export abstract class PeriodicService implements OnApplicationBootstrap, OnApplicationShutdown {
  protected stopped = false;
  private readonly schedule: PeriodicTask;

  protected constructor(intervalMs: number) {
    this.schedule = new PeriodicTask(intervalMs, () => this.runOnce());
  }

  protected abstract runOnce(): Promise<void>;

  onApplicationBootstrap(): void {
    this.schedule.start();
  }

  onApplicationShutdown(): void {
    this.stopped = true;
    this.schedule.stop();
  }
}
