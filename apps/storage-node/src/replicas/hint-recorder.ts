import { Injectable, Logger } from '@nestjs/common';
import type { Hint } from '../kv/batch-changes';
import { VersionStore } from '../kv/version-store';

/**
 * Hints for replicas that a forward did not reach (a replica that died before membership marked it down).
 * While a replica is dead every write it misses fails at once, so hints are gathered for an event-loop turn
 * and recorded in one statement.
 */
@Injectable()
export class HintRecorder {
  private readonly logger = new Logger(HintRecorder.name);
  private pending: Hint[] = [];
  private flushing: Promise<void> | null = null;

  constructor(private readonly store: VersionStore) {}

  /** Resolves once the hint is durable. */
  record(hint: Hint): Promise<void> {
    this.pending.push(hint);
    this.flushing ??= new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.flush());
    return this.flushing;
  }

  private async flush(): Promise<void> {
    const hints = this.pending;
    this.pending = [];
    this.flushing = null;
    try {
      await this.store.recordHints(hints);
    } catch (error) {
      // The version is durable on a write quorum; without the hint, read repair brings the replica up to date.
      this.logger.error({ err: error, hints: hints.length }, 'could not record hints for unreachable replicas');
    }
  }
}
