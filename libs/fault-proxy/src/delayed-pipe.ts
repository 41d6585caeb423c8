import type { Socket } from 'node:net';
import type { LinkFaults } from './link-faults';

/** Bytes queued for delayed delivery before the pipe stops reading its source. */
const HIGH_WATER_BYTES = 4 * 1_048_576;

export interface PipeCounters {
  forwarded: number;
  /** Bytes that arrived while the link was cut and waited for the heal. */
  held: number;
}

/**
 * Copies `source` to `target` under the link's current faults, read afresh for every chunk: a chunk is
 * delivered `delayMs` after it arrived, never before an earlier chunk. While the link is cut nothing is
 * delivered and, once a chunk waits, the source is no longer read: as in a real partition, TCP's flow
 * control stalls the sender, and after the heal the stream resumes intact (dropping bytes from the middle of
 * a TCP stream is something no network does, and it would corrupt the protocol above). Reading also pauses
 * while too much is queued, so a slow target or a long delay cannot buffer without bound.
 */
export class DelayedPipe {
  private readonly queue: { deliverAt: number; chunk: Buffer }[] = [];
  private queuedBytes = 0;
  private timer: NodeJS.Timeout | null = null;
  private lastDeliverAt = 0;

  constructor(
    private readonly source: Socket,
    private readonly target: Socket,
    private readonly faults: () => LinkFaults,
    private readonly counters: PipeCounters,
  ) {
    source.on('data', (chunk: Buffer) => this.accept(chunk));
    target.on('drain', () => this.deliverDue());
  }

  /** The link's faults changed: a healed link delivers what waited and reads again. */
  refresh(): void {
    this.deliverDue();
  }

  /** Stops delivering; queued bytes are discarded with the connection. */
  stop(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.queue.length = 0;
  }

  private accept(chunk: Buffer): void {
    const faults = this.faults();
    if (!faults.blackhole && faults.delayMs === 0 && this.queue.length === 0) {
      this.deliver(chunk);
      return;
    }
    if (faults.blackhole) this.counters.held += chunk.length;
    this.lastDeliverAt = Math.max(performance.now() + faults.delayMs, this.lastDeliverAt);
    this.queue.push({ deliverAt: this.lastDeliverAt, chunk });
    this.queuedBytes += chunk.length;
    if (faults.blackhole || this.queuedBytes > HIGH_WATER_BYTES) this.source.pause();
    this.schedule();
  }

  private schedule(): void {
    if (this.timer !== null || this.queue.length === 0 || this.faults().blackhole) return;
    const wait = Math.max(0, this.queue[0].deliverAt - performance.now());
    this.timer = setTimeout(() => {
      this.timer = null;
      this.deliverDue();
    }, wait);
  }

  private deliverDue(): void {
    if (this.faults().blackhole) return;
    const now = performance.now();
    while (this.queue.length > 0 && this.queue[0].deliverAt <= now && this.target.writableNeedDrain === false) {
      const { chunk } = this.queue.shift()!;
      this.queuedBytes -= chunk.length;
      this.deliver(chunk);
    }
    if (this.queuedBytes <= HIGH_WATER_BYTES && this.source.isPaused() && this.target.writableNeedDrain === false) this.source.resume();
    this.schedule();
  }

  private deliver(chunk: Buffer): void {
    if (this.target.destroyed) return;
    this.counters.forwarded += chunk.length;
    if (!this.target.write(chunk)) this.source.pause();
  }
}
