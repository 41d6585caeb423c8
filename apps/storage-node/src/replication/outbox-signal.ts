import { Injectable } from '@nestjs/common';

export interface PendingWake {
  /** Resolves at the next notify() with true, or with false when the wait times out. */
  readonly woken: Promise<boolean>;
  /** Stops waiting (the promise then never resolves; drop it). */
  cancel(): void;
}

/**
 * Wakes replicators waiting for outbox rows as soon as a group commit adds some, so that a write starts
 * towards the other regions within a millisecond of its commit instead of at the next poll.
 */
@Injectable()
export class OutboxSignal {
  private waiters = new Set<(notified: boolean) => void>();

  /** Called after a commit that wrote outbox rows. */
  notify(): void {
    const waiters = this.waiters;
    this.waiters = new Set();
    for (const wake of waiters) wake(true);
  }

  /**
   * Starts waiting for the next notify(), for at most `timeoutMs`. Start waiting BEFORE reading the outbox:
   * a commit between the read and the wait would otherwise go unnoticed until the timeout.
   */
  wait(timeoutMs: number): PendingWake {
    let wake!: (notified: boolean) => void;
    let timer!: NodeJS.Timeout;
    const woken = new Promise<boolean>((resolve) => {
      wake = (notified) => {
        clearTimeout(timer);
        this.waiters.delete(wake);
        resolve(notified);
      };
      timer = setTimeout(() => wake(false), timeoutMs);
    });
    this.waiters.add(wake);
    return {
      woken,
      cancel: () => {
        clearTimeout(timer);
        this.waiters.delete(wake);
      },
    };
  }
}
