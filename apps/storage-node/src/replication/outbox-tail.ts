import type { OutboxPosition, ReplicatedVersion } from '@geokv/protocol';

/** What ended a wait at the tail. */
export type TailWake =
  /** The next commit's rows: exactly what a read after the waiter's position would have returned next. */
  | { readonly kind: 'page'; readonly versions: readonly ReplicatedVersion[]; readonly next: OutboxPosition }
  /** A commit wrote rows that cannot be handed over (the waiter was not at the tail, or they are too many): read them. */
  | { readonly kind: 'read' }
  /** Nothing was committed in the wait. */
  | { readonly kind: 'quiet' };

export interface TailWait {
  readonly woken: Promise<TailWake>;
  /** Stops waiting (the promise then never settles; drop it). */
  cancel(): void;
}

interface Waiter {
  readonly after: OutboxPosition | undefined;
  readonly limit: number;
  readonly wake: (outcome: TailWake) => void;
}

/**
 * The end of this node's outbox as this process committed it, and the replicators waiting there.
 *
 * A replicator's stream long-polls for the rows after the last it read. When that position is the last row
 * this process committed, the rows that come next are exactly those of its next commit, which it has in
 * memory: they are handed to the waiting reads as they are, with no read of the shard. A read used to
 * cost a statement (a wake-up of this process and of a PostgreSQL backend) and, since rows become readable
 * only once every older transaction on the server has ended, often a wait for someone else's commit.
 *
 * That holds only while this process is the outbox's sole writer and commits one batch at a time, so that
 * each commit's rows follow the last one's with nothing between them: `ordered` says so (one batch in
 * flight). A commit whose outcome is unknown may have left rows this process cannot place, so the tail is
 * then unknown until the next commit, and that commit's rows are read from the shard. A reader reaches the
 * new tail again only through such a read, which returns rows only once every older transaction has ended
 * (the lost one included).
 */
export class OutboxTail {
  /** The last outbox row this process committed; null while unknown (before its first commit, after a lost one). */
  private last: OutboxPosition | null = null;
  private waiters = new Set<Waiter>();

  constructor(private readonly ordered: boolean) {}

  /** Whether nothing after `after` has been committed yet: a reader there may wait for the next commit instead of reading. */
  isAt(after: OutboxPosition | undefined): boolean {
    return this.ordered && after !== undefined && this.last !== null && samePosition(after, this.last);
  }

  /**
   * Waits up to `timeoutMs` for the next commit that writes outbox rows. Start waiting BEFORE reading the
   * outbox: a commit between the read and the wait would otherwise go unnoticed until the timeout.
   */
  wait(timeoutMs: number, after: OutboxPosition | undefined, limit: number): TailWait {
    let waiter!: Waiter;
    let timer!: NodeJS.Timeout;
    const woken = new Promise<TailWake>((resolve) => {
      waiter = {
        after,
        limit,
        wake: (outcome) => {
          clearTimeout(timer);
          this.waiters.delete(waiter);
          resolve(outcome);
        },
      };
      timer = setTimeout(() => waiter.wake(QUIET), timeoutMs);
    });
    this.waiters.add(waiter);
    return {
      woken,
      cancel: () => {
        clearTimeout(timer);
        this.waiters.delete(waiter);
      },
    };
  }

  /**
   * A commit wrote `count` outbox rows, the last at `last`; `versions` builds their wire form, only if a
   * waiter takes them.
   */
  committed(count: number, last: OutboxPosition, versions: () => readonly ReplicatedVersion[]): void {
    const previous = this.last;
    this.last = last;
    let page: TailWake | null = null;
    for (const waiter of this.takeWaiters()) {
      const follows = this.ordered && previous !== null && waiter.after !== undefined && samePosition(waiter.after, previous);
      if (follows && count <= waiter.limit) {
        page ??= { kind: 'page', versions: versions(), next: last };
        waiter.wake(page);
      } else {
        waiter.wake(READ);
      }
    }
  }

  /** A commit failed without telling whether it wrote: the tail is unknown, and every waiter reads the shard. */
  lost(): void {
    this.last = null;
    for (const waiter of this.takeWaiters()) waiter.wake(READ);
  }

  private takeWaiters(): Waiter[] {
    const waiters = [...this.waiters];
    this.waiters = new Set();
    return waiters;
  }
}

const READ: TailWake = { kind: 'read' };
const QUIET: TailWake = { kind: 'quiet' };

function samePosition(a: OutboxPosition, b: OutboxPosition): boolean {
  return a.txid === b.txid && a.id === b.id;
}
