import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '@nestjs/common';
import type { PersistentReplyRedisClient } from '@geokv/config';
import {
  addressTo,
  regionAddressed,
  ReplicationPatterns,
  StoragePatterns,
  type ConflictResolution,
  type OutboxPosition,
  type OutboxReadRequest,
  type OutboxReadResult,
  type PendingSummary,
  type ShipmentRequest,
  type ShipmentResult,
} from '@geokv/protocol';
import { describeFailure } from '../region/describe-failure';
import type { ReplicatorConfig } from '../replicator.config';
import type { PeerLink } from './peer-link';
import { sendOverLink } from './send-over-link';

const MAX_RETRY_DELAY_MS = 10_000;

/**
 * Least time between two shipments of a stream that has no backlog. Over a fast link a shipment is
 * answered within milliseconds, and without a pause each carried a row or two, every one costing an outbox
 * read, a message to the peer and an apply on each of its nodes; with one, the rows of those milliseconds
 * share a shipment. It adds at most this much to replication lag.
 */
const SHIPMENT_LINGER_MS = 10;

/**
 * Over a long link a small shipment may leave while the one before it still travels, once that one has been
 * out this long: otherwise a write committed just after a shipment left waits out its whole round trip
 * before it travels itself, and the lag is one and a half round trips instead of half of one. Only where
 * the link's own round trip is at least LONG_LINK_MS: on a short link the answer comes back about as soon,
 * and one shipment at a time keeps shipments fuller, each costing an outbox read, a message and a commit on
 * the peer's nodes whatever it carries (on this project's 2-core bench machine, following on short links
 * cost more lag than it saved).
 */
const FOLLOW_AFTER_MS = 25;
const LONG_LINK_MS = 2 * FOLLOW_AFTER_MS;

/** While shipments travel, how long a read may wait for a commit before the stream looks at their answers. */
const IN_FLIGHT_READ_WAIT_MS = 50;

/**
 * How soon after its read a page that held every readable row must be applied for the stream to report
 * nothing pending at once. Rows committed after the read are not known; a page held for long (a shipment
 * that waited out a partition) would otherwise report a drained stream over the whole backlog written
 * meanwhile, until the next read: the status showed backlog 0 and lag 0 just after a heal, and a
 * caller waiting for every backlog to be empty went on while the backlog was still being shipped.
 * Such a stream's next read looks without waiting instead, so that it says what is pending at once.
 */
const DRAINED_WITHIN_MS = 250;

export interface ShardStreamContext {
  readonly local: PersistentReplyRedisClient;
  readonly config: ReplicatorConfig;
  readonly logger: Logger;
  readonly strategiesFor: (keyspaces: readonly string[]) => Record<string, ConflictResolution>;
  /** Called with the number of versions of each shipment the peer applied. */
  readonly onShipped: (count: number) => void;
}

interface InFlight {
  readonly position: OutboxPosition;
  readonly count: number;
  /** The page held every row the node could read after the previous one (it was not full). */
  readonly readAll: boolean;
  /** When the page was read. */
  readonly readAtMs: number;
  readonly settled: Promise<void>;
  ok: boolean | null;
}

/**
 * One storage node's outbox streaming to one peer. With a backlog (full pages), pages are read ahead of
 * what the peer has acknowledged and up to GEOKV_REPLICATION_PIPELINE shipments travel at once, so a slow
 * link carries a steady stream instead of one batch per round trip. Without one, a single shipment
 * travels at a time on a short link and what is written meanwhile waits for the next: each shipment costs
 * an outbox read, a message and a commit on the peer's nodes whatever it carries, so the busier the region,
 * the fuller the shipments. On a long link small shipments follow each other every FOLLOW_AFTER_MS (up to
 * the same pipeline), so that a write does not wait out the round trip of the one ahead. Once a shipment
 * and every shipment before it have been applied, the next outbox read carries the acknowledgement and the
 * node moves the cursor past them, so acknowledging costs no message of its own. After any failure the
 * stream waits for what is in flight, and starts again from the cursor; what is shipped twice changes
 * nothing at the peer.
 */
export class ShardStream {
  private stopped = false;
  private consecutiveFailures = 0;
  private lastPendingAtMs = 0;
  private refreshing = false;
  /** The newest position the peer has applied that no answered read has acknowledged yet. */
  private appliedUpTo: OutboxPosition | null = null;
  /**
   * The last page held every readable row but was applied too late to tell that nothing is pending now (see
   * DRAINED_WITHIN_MS). A long poll would then leave the old count standing for up to
   * GEOKV_REPLICATION_WAIT_MS when nothing more was written: the last second of a partition's drain.
   */
  private countBeforeWaiting = false;

  constructor(
    private readonly link: PeerLink,
    private readonly nodeId: string,
    private readonly context: ShardStreamContext,
  ) {}

  stop(): void {
    this.stopped = true;
  }

  async run(): Promise<void> {
    while (!this.stopped) {
      const ok = await this.streamUntilFailure();
      this.consecutiveFailures = ok ? 0 : this.consecutiveFailures + 1;
      if (!ok && !this.stopped) await this.pauseBeforeRetry();
    }
  }

  /** Backs off, but starts again at once when the peer answers after a dark spell: a link has healed. */
  private async pauseBeforeRetry(): Promise<void> {
    const done = new AbortController();
    try {
      await Promise.race([sleep(this.retryDelayMs(), undefined, { signal: done.signal }), this.link.answeringAgain(done.signal)]);
    } finally {
      done.abort();
    }
  }

  /** Backs off while failures repeat, so that a struggling peer is not hammered with resends. */
  private retryDelayMs(): number {
    const base = this.context.config.GEOKV_REPLICATION_RETRY_MS;
    return Math.min(base * 2 ** Math.min(this.consecutiveFailures - 1, 10), MAX_RETRY_DELAY_MS);
  }

  /** Streams from the peer's cursor; returns false after a failure, once everything in flight has settled. */
  private async streamUntilFailure(): Promise<boolean> {
    const inFlight: InFlight[] = [];
    let after: OutboxPosition | undefined;
    let healthy = true;
    let lastShippedAtMs = Number.NEGATIVE_INFINITY;
    let backlogged = false;
    while (!this.stopped && healthy) {
      healthy = this.acknowledgeSettled(inFlight);
      if (!healthy) break;
      if (this.pipelineFull(inFlight)) {
        await inFlight[0].settled;
        continue;
      }
      // Without a backlog, one shipment at a time on a short link: what is written while it travels waits for
      // its acknowledgement and goes in the next one, so the busier the link, the fuller each shipment. On a
      // long link, another may follow it (FOLLOW_AFTER_MS).
      if (!backlogged && inFlight.length > 0) {
        const followInMs = this.followInMs(lastShippedAtMs);
        if (followInMs === null) {
          await inFlight[0].settled;
          continue;
        }
        if (followInMs > 0) {
          await Promise.race([inFlight[0].settled, sleep(followInMs)]);
          continue;
        }
      }
      const lingerMs = lastShippedAtMs + SHIPMENT_LINGER_MS - Date.now();
      if (!backlogged && lingerMs > 0) await sleep(lingerMs);
      let page: OutboxReadResult;
      try {
        // With shipments in flight, read ahead: at once with a backlog, or over a long link waiting a moment for a
        // commit. The backlog is counted only when nothing is in flight, the one time the count is exact (the
        // peer has applied everything up to where this stream has read).
        page = inFlight.length > 0 ? await this.read(after, backlogged ? 0 : IN_FLIGHT_READ_WAIT_MS, false) : await this.read(after, this.takeWaitMs(), true);
      } catch (error) {
        this.context.logger.debug({ node: this.nodeId, reason: describeFailure(error) }, 'could not read the outbox');
        healthy = false;
        break;
      }
      this.recordPending(page.pending);
      if (page.versions.length === 0 || page.next === null) {
        // Caught up: whatever is in flight is waited for as the rules without a backlog say.
        backlogged = false;
        continue;
      }
      after = page.next;
      backlogged = page.versions.length >= this.context.config.GEOKV_REPLICATION_BATCH;
      lastShippedAtMs = Date.now();
      inFlight.push(this.ship(page, page.next, !backlogged));
    }
    await Promise.all(inFlight.map((shipment) => shipment.settled));
    if (healthy) this.acknowledgeSettled(inFlight);
    return healthy;
  }

  /** How long until a shipment may follow the one that left at `lastShippedAtMs`; null on a short link. */
  private followInMs(lastShippedAtMs: number): number | null {
    const nowMs = Date.now();
    const roundTripMs = this.link.baseRoundTripMs(nowMs);
    if (roundTripMs === null || roundTripMs < LONG_LINK_MS) return null;
    return lastShippedAtMs + FOLLOW_AFTER_MS - nowMs;
  }

  /**
   * While shipments hang (a link cut, a peer stalled) the stream reads nothing, so the backlog it last
   * reported goes stale; the shipper calls this periodically to count what is pending without reading it.
   */
  async refreshPendingIfStale(staleAfterMs: number): Promise<void> {
    if (this.refreshing || Date.now() - this.lastPendingAtMs < staleAfterMs) return;
    this.refreshing = true;
    try {
      this.recordPending((await this.read(undefined, 0, true, 0)).pending);
    } catch {
      // The node is unreachable; the next refresh tries again.
    } finally {
      this.refreshing = false;
    }
  }

  private recordPending(pending: PendingSummary | null): void {
    if (pending === null) return;
    this.lastPendingAtMs = Date.now();
    this.link.recordPending(this.nodeId, pending.backlog, pending.oldestPendingAtMs);
  }

  /** How long the next counting read may wait for a commit: not at all when the count is owed now. */
  private takeWaitMs(): number {
    const waitMs = this.countBeforeWaiting ? 0 : this.context.config.GEOKV_REPLICATION_WAIT_MS;
    this.countBeforeWaiting = false;
    return waitMs;
  }

  private pipelineFull(inFlight: readonly InFlight[]): boolean {
    const { GEOKV_REPLICATION_PIPELINE: shipments, GEOKV_REPLICATION_BATCH: batch } = this.context.config;
    const versions = inFlight.reduce((sum, shipment) => sum + shipment.count, 0);
    return inFlight.length >= shipments || versions >= 2 * batch;
  }

  /**
   * Reads the next rows after `after`, or after the cursor; the read also acknowledges what the peer has
   * applied, so the cursor (and a read from it, after a failure) starts after everything acknowledged.
   */
  private async read(
    after: OutboxPosition | undefined,
    waitMs: number,
    countPending: boolean,
    limit = this.context.config.GEOKV_REPLICATION_BATCH,
  ): Promise<OutboxReadResult> {
    const acknowledge = this.appliedUpTo;
    const request: OutboxReadRequest = {
      requestId: `repl-${randomUUID()}`,
      peer: this.link.region,
      limit,
      waitMs,
      countPending,
      ...(after === undefined ? {} : { after }),
      ...(acknowledge === null ? {} : { acknowledge }),
    };
    const page = await this.context.local.request<OutboxReadResult>(
      addressTo(StoragePatterns.outboxRead, this.nodeId),
      request,
      this.context.config.GEOKV_RPC_TIMEOUT_MS + waitMs,
    );
    // A shipment applied while the read travelled is acknowledged by the next one.
    if (this.appliedUpTo === acknowledge) this.appliedUpTo = null;
    return page;
  }

  private ship(page: OutboxReadResult, position: OutboxPosition, readAll: boolean): InFlight {
    const shipment: ShipmentRequest = {
      requestId: `repl-${randomUUID()}`,
      sourceRegion: this.context.config.GEOKV_REGION,
      versions: page.versions,
      strategies: this.context.strategiesFor(page.versions.map((version) => version.keyspace)),
    };
    const entry: InFlight = {
      position,
      count: page.versions.length,
      readAll,
      readAtMs: Date.now(),
      ok: null,
      settled: sendOverLink<ShipmentResult>(
        this.link,
        regionAddressed(ReplicationPatterns.ship, this.link.region),
        shipment,
        this.context.config.GEOKV_SHIPMENT_TIMEOUT_MS,
      ).then(
        (result) => {
          entry.ok = true;
          const nowMs = Date.now();
          this.link.recordRoundTrip(nowMs - entry.readAtMs, nowMs);
          this.link.recordApplied(nowMs, result.incarnation);
          this.context.onShipped(entry.count);
        },
        (error: unknown) => {
          entry.ok = false;
          const reason = describeFailure(error);
          this.link.recordFailure(reason);
          this.context.logger.warn(
            { requestId: shipment.requestId, peer: this.link.region, node: this.nodeId, versions: entry.count, reason },
            'shipment failed; it will be retried',
          );
        },
      ),
    };
    return entry;
  }

  /**
   * Takes the settled shipments off the front, up to the first failure, and marks the last of them for the
   * next read to acknowledge; false if one failed (the shipments after it are then shipped again from the
   * cursor).
   */
  private acknowledgeSettled(inFlight: InFlight[]): boolean {
    let acknowledged: InFlight | undefined;
    let failed = false;
    while (inFlight.length > 0 && inFlight[0].ok !== null) {
      const shipment = inFlight.shift()!;
      if (!shipment.ok) {
        failed = true;
        break;
      }
      acknowledged = shipment;
    }
    if (acknowledged !== undefined) this.appliedUpTo = acknowledged.position;
    // The peer has every row the node had to give when it was last read, a moment ago: nothing is known to be
    // pending. Rows written since show in the next read, which returns at once when there are any; without this,
    // a drained stream's lag and backlog stood at the last page's until its next read, a long poll, came back
    // empty. A page read long ago says nothing of now (see DRAINED_WITHIN_MS).
    if (acknowledged?.readAll && inFlight.length === 0 && !failed) {
      if (Date.now() - acknowledged.readAtMs <= DRAINED_WITHIN_MS) this.recordPending({ backlog: 0, oldestPendingAtMs: null });
      else this.countBeforeWaiting = true;
    }
    return !failed;
  }
}
