import { EventEmitter, once } from 'node:events';
import type { PersistentReplyRedisClient } from '@geokv/config';
import type { LinkState, PeerReplicationStatus } from '@geokv/protocol';

/** How often a link with nothing to ship is probed, so that the status shows a dead link without traffic. */
export const PROBE_INTERVAL_MS = 2_000;

/**
 * The peer has answered nothing for this long: the link is dark (cut, stalled, or the peer is down). A
 * quiet but healthy link is probed every PROBE_INTERVAL_MS, so a live peer is never silent this long.
 */
export const DARK_AFTER_MS = 2.5 * PROBE_INTERVAL_MS;

/** A round trip counts towards the link's shortest for one to two of these (see baseRoundTripMs). */
const ROUND_TRIP_WINDOW_MS = 10_000;

const ANSWERING_AGAIN = 'answeringAgain';
const PEER_RESTARTED = 'peerRestarted';

/**
 * One peer region: the client on its Redis, and what the replicator knows of the link. Backlog and the
 * oldest pending write are tracked per local storage node (each has its own outbox and cursor) and summed
 * for the peer.
 */
export class PeerLink {
  private state: LinkState = 'unknown';
  private lastSuccessfulApplyMs: number | null = null;
  private lastContactMs = Number.NEGATIVE_INFINITY;
  /** When the peer started answering again after the link was last dark. */
  private contactSinceMs = Number.NEGATIVE_INFINITY;
  /** The peer replicator process that answered last (see ShipmentResult.incarnation). */
  private incarnation: string | null = null;
  /** ANSWERING_AGAIN and PEER_RESTARTED; every shipment in flight listens for the latter. */
  private readonly events = new EventEmitter().setMaxListeners(0);
  private lastError: string | null = null;
  private readonly pending = new Map<string, { backlog: number; oldestAtMs: number | null }>();
  /** The shortest round trip of the current window and of the one before it (Infinity: none measured). */
  private shortestNow = Number.POSITIVE_INFINITY;
  private shortestBefore = Number.POSITIVE_INFINITY;
  private windowStartMs = Number.NEGATIVE_INFINITY;

  constructor(
    readonly region: string,
    readonly client: PersistentReplyRedisClient,
  ) {}

  recordPending(nodeId: string, backlog: number, oldestAtMs: number | null): void {
    this.pending.set(nodeId, { backlog, oldestAtMs });
  }

  /** The peer's replicator answered; `incarnation` names the process that did, when the answer says. */
  recordContact(nowMs: number, incarnation?: string): void {
    if (incarnation !== undefined && incarnation !== this.incarnation) {
      this.incarnation = incarnation;
      this.events.emit(PEER_RESTARTED);
    }
    if (this.isDark(nowMs)) {
      this.contactSinceMs = nowMs;
      this.events.emit(ANSWERING_AGAIN);
    }
    this.state = 'up';
    this.lastContactMs = nowMs;
    this.lastError = null;
  }

  /** The peer applied a shipment. */
  recordApplied(nowMs: number, incarnation?: string): void {
    this.recordContact(nowMs, incarnation);
    this.lastSuccessfulApplyMs = nowMs;
  }

  /** A request to the peer (a shipment, a probe) was answered `roundTripMs` after it was sent. */
  recordRoundTrip(roundTripMs: number, nowMs: number): void {
    this.rotateRoundTrips(nowMs);
    this.shortestNow = Math.min(this.shortestNow, roundTripMs);
  }

  /**
   * The link's own round trip, as far as the queues on both ends let it show: the shortest measured over
   * the last 10 to 20 s, so that it follows a link that grew slower or faster. Null before any answer.
   */
  baseRoundTripMs(nowMs: number): number | null {
    this.rotateRoundTrips(nowMs);
    const shortest = Math.min(this.shortestNow, this.shortestBefore);
    return shortest === Number.POSITIVE_INFINITY ? null : shortest;
  }

  private rotateRoundTrips(nowMs: number): void {
    const elapsedMs = nowMs - this.windowStartMs;
    if (elapsedMs < ROUND_TRIP_WINDOW_MS) return;
    // After more than one whole window without a rotation, the current window's figure is stale too.
    this.shortestBefore = elapsedMs < 2 * ROUND_TRIP_WINDOW_MS ? this.shortestNow : Number.POSITIVE_INFINITY;
    this.shortestNow = Number.POSITIVE_INFINITY;
    this.windowStartMs = nowMs;
  }

  msSinceContact(nowMs: number): number {
    return nowMs - this.lastContactMs;
  }

  isDark(nowMs: number): boolean {
    return this.msSinceContact(nowMs) > DARK_AFTER_MS;
  }

  /**
   * When a request sent at `sentAtMs` has had `timeoutMs` of a live link to be answered in, counted from
   * its sending or from the peer's answering again after a dark spell, whichever is later; null while the
   * link is dark, when no deadline can pass (see sendOverLink).
   */
  deadlineOf(sentAtMs: number, timeoutMs: number, nowMs: number): number | null {
    if (this.isDark(nowMs)) return null;
    return Math.max(sentAtMs, this.contactSinceMs) + timeoutMs;
  }

  /**
   * Resolves when the peer answers after a dark spell, so that streams backing off after failures start
   * again as soon as a link heals rather than at the end of their pause; rejects when `signal` aborts.
   */
  async answeringAgain(signal: AbortSignal): Promise<void> {
    await once(this.events, ANSWERING_AGAIN, { signal });
  }

  /**
   * Calls `listener` whenever an answer comes from a new process of the peer's replicator: the one before
   * it is gone, and so is every request it had not answered. The first answer this link gets counts too:
   * what was sent before it may have gone to a process that died without answering anything, or to none
   * at all (published before the peer's replicator subscribed), and a duplicate costs less than waiting
   * out the deadline. Returns the unsubscribe function.
   */
  onPeerRestart(listener: () => void): () => void {
    this.events.on(PEER_RESTARTED, listener);
    return () => this.events.off(PEER_RESTARTED, listener);
  }

  recordFailure(reason: string): void {
    this.state = 'down';
    this.lastError = reason;
  }

  backlog(): number {
    let total = 0;
    for (const { backlog } of this.pending.values()) total += backlog;
    return total;
  }

  /** Age of the oldest write the peer has not acknowledged, in seconds; 0 when none is pending. */
  lagSeconds(nowMs: number): number {
    let oldest = Number.POSITIVE_INFINITY;
    for (const { oldestAtMs } of this.pending.values()) if (oldestAtMs !== null) oldest = Math.min(oldest, oldestAtMs);
    return oldest === Number.POSITIVE_INFINITY ? 0 : Math.max(0, (nowMs - oldest) / 1000);
  }

  status(nowMs: number): PeerReplicationStatus {
    return {
      peer: this.region,
      linkState: this.state,
      lagSeconds: this.lagSeconds(nowMs),
      backlog: this.backlog(),
      lastSuccessfulApplyMs: this.lastSuccessfulApplyMs,
      lastError: this.lastError,
    };
  }
}
