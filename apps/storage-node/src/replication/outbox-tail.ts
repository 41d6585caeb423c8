import type { OutboxPosition, PendingSummary, ReplicatedVersion } from '@geokv/protocol';
import type { KeyRef } from '../kv/key-id';
import type { StoredVersion } from '../versions/stored-version';
import { replicatedVersionOf } from './replicated-version';

/**
 * Rows of the latest commits kept for readers behind the tail (each peer's stream reads at its own pace, a
 * shipment or two behind). Kept rows live long enough for the collector to promote and trace them, and a
 * stream further behind has a backlog, which full pages read from the shard serve well.
 */
const MAX_KEPT_ROWS = 1_024;
const MAX_KEPT_VALUE_BYTES = 4 * 1024 * 1024;

/** Commits are kept only while someone reads: a region without peers has no reader, and would keep them for nothing. */
const READERS_GONE_AFTER_MS = 5_000;

/** A page served from memory, with what is pending after the position it was asked for. */
export interface TailPage {
  readonly versions: readonly ReplicatedVersion[];
  readonly next: OutboxPosition;
  readonly pending: PendingSummary;
}

/** What ended a wait at the tail. */
export type TailWake =
  /** The rows committed after the waiter's position: exactly what a read from there would return. */
  | ({ readonly kind: 'page' } & TailPage)
  /** A commit wrote rows that cannot be handed over (they are too many, or follow rows this process cannot place): read them. */
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

/** One commit's outbox rows, as the write batcher had them. */
export type CommittedRow = KeyRef & { readonly version: StoredVersion };

interface KeptCommit {
  /** Where the outbox ended before this commit; null when unknown (the first commit, or one after a lost one). */
  readonly previous: OutboxPosition | null;
  readonly last: OutboxPosition;
  readonly rows: readonly CommittedRow[];
  readonly valueBytes: number;
  readonly oldestAtMs: number;
  wire: readonly ReplicatedVersion[] | null;
}

/**
 * The end of this node's outbox as this process committed it: its latest commits, and the replicators
 * waiting for the next one.
 *
 * A replicator's stream reads the rows after the last it read. When that position is where one of the
 * commits kept here ended, the rows after it are exactly those of the commits since, which this process
 * has in memory: they are served as they are, with no read of the shard, and a stream at the very end
 * waits for the next commit and is handed its rows. A read from the shard costs a statement (a wake-up of
 * this process and of a PostgreSQL backend) and, since rows become readable only once every older
 * transaction on the server has ended, often a wait for someone else's commit.
 *
 * That holds only while this process is the outbox's sole writer and commits one batch at a time, so that
 * each commit's rows follow the last one's with nothing between them: `ordered` says so (one batch in
 * flight). A commit whose outcome is unknown may have left rows this process cannot place, so everything
 * kept is dropped and the next commit's predecessor is unknown; readers then read from the shard, which
 * returns rows only once every older transaction has ended (the lost one included), until they reach a
 * commit kept since.
 */
export class OutboxTail {
  /** Where the last commit this process made ended; null while unknown (before its first commit, after a lost one). */
  private last: OutboxPosition | null = null;
  private kept: KeptCommit[] = [];
  private keptRows = 0;
  private keptValueBytes = 0;
  private waiters = new Set<Waiter>();
  /** When a reader last asked (reads and waits); a new process counts as asked at its start. */
  private lastAskedAtMs = Date.now();

  constructor(private readonly ordered: boolean) {}

  /**
   * What follows `after`: the kept commits after it (whole commits, at most `limit` rows; null when the
   * first alone has more), 'tail' when nothing was committed after it, or null when this process cannot
   * tell (the shard must be read).
   */
  after(after: OutboxPosition | undefined, limit: number): TailPage | 'tail' | null {
    this.lastAskedAtMs = Date.now();
    if (!this.ordered || after === undefined || this.last === null) return null;
    if (samePosition(this.last, after)) return 'tail';
    // Readers are a shipment or two behind the tail: look from the newest commit back.
    const index = this.kept.findLastIndex((commit) => samePosition(commit.last, after));
    if (index >= 0) return this.pageFrom(index + 1, limit);
    if (this.kept.length === 0) return null;
    // Just before the oldest commit kept (the end of one dropped since), when that one's predecessor is known.
    const previous = this.kept[0].previous;
    return previous !== null && samePosition(previous, after) ? this.pageFrom(0, limit) : null;
  }

  /**
   * Waits up to `timeoutMs` for the next commit that writes outbox rows. Start waiting BEFORE reading the
   * outbox: a commit between the read and the wait would otherwise go unnoticed until the timeout.
   */
  wait(timeoutMs: number, after: OutboxPosition | undefined, limit: number): TailWait {
    this.lastAskedAtMs = Date.now();
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

  /** A commit wrote these outbox rows (in order), the last at `last`. */
  committed(rows: readonly CommittedRow[], last: OutboxPosition): void {
    if (!this.ordered) {
      for (const waiter of this.takeWaiters()) waiter.wake(READ);
      return;
    }
    const previous = this.last;
    this.last = last;
    if (this.waiters.size === 0 && Date.now() - this.lastAskedAtMs > READERS_GONE_AFTER_MS) {
      this.drop();
      return;
    }
    let valueBytes = 0;
    let oldestAtMs = Number.POSITIVE_INFINITY;
    for (const row of rows) {
      valueBytes += row.version.value?.length ?? 0;
      if (row.version.hlc.wallMs < oldestAtMs) oldestAtMs = row.version.hlc.wallMs;
    }
    this.kept.push({ previous, last, rows, valueBytes, oldestAtMs, wire: null });
    this.keptRows += rows.length;
    this.keptValueBytes += valueBytes;
    while (this.kept.length > 1 && (this.keptRows > MAX_KEPT_ROWS || this.keptValueBytes > MAX_KEPT_VALUE_BYTES)) {
      const dropped = this.kept.shift()!;
      this.keptRows -= dropped.rows.length;
      this.keptValueBytes -= dropped.valueBytes;
    }
    for (const waiter of this.takeWaiters()) {
      const page = this.after(waiter.after, waiter.limit);
      waiter.wake(page === null || page === 'tail' ? READ : { kind: 'page', ...page });
    }
  }

  /** A commit failed without telling whether it wrote: what follows the kept commits is unknown, and every waiter reads the shard. */
  lost(): void {
    this.last = null;
    this.drop();
    for (const waiter of this.takeWaiters()) waiter.wake(READ);
  }

  private drop(): void {
    this.kept = [];
    this.keptRows = 0;
    this.keptValueBytes = 0;
  }

  private pageFrom(start: number, limit: number): TailPage | null {
    if (this.kept[start].rows.length > limit) return null;
    const versions: ReplicatedVersion[] = [];
    let next = this.kept[start].last;
    let full = false;
    let backlog = 0;
    let oldestPendingAtMs = Number.POSITIVE_INFINITY;
    for (let i = start; i < this.kept.length; i += 1) {
      const commit = this.kept[i];
      backlog += commit.rows.length;
      oldestPendingAtMs = Math.min(oldestPendingAtMs, commit.oldestAtMs);
      full ||= versions.length + commit.rows.length > limit;
      if (full) continue;
      versions.push(...wireOf(commit));
      next = commit.last;
    }
    return { versions, next, pending: { backlog, oldestPendingAtMs } };
  }

  private takeWaiters(): Waiter[] {
    const waiters = [...this.waiters];
    this.waiters = new Set();
    return waiters;
  }
}

const READ: TailWake = { kind: 'read' };
const QUIET: TailWake = { kind: 'quiet' };

/** The commit's rows in their wire form, built once however many streams read them. */
function wireOf(commit: KeptCommit): readonly ReplicatedVersion[] {
  commit.wire ??= commit.rows.map((row) => replicatedVersionOf(row, row.version));
  return commit.wire;
}

function samePosition(a: OutboxPosition, b: OutboxPosition): boolean {
  return a.txid === b.txid && a.id === b.id;
}
