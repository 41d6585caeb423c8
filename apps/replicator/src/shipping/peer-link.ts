import type { ClientRedis } from '@nestjs/microservices';
import type { LinkState, PeerReplicationStatus } from '@geokv/protocol';

/**
 * One peer region: the client on its Redis, and what the replicator knows of the link. Backlog and the
 * oldest pending write are tracked per local storage node (each has its own outbox and cursor) and summed
 * for the peer.
 */
export class PeerLink {
  private state: LinkState = 'unknown';
  private lastSuccessfulApplyMs: number | null = null;
  private lastContactMs = 0;
  private lastError: string | null = null;
  private readonly pending = new Map<string, { backlog: number; oldestAtMs: number | null }>();

  constructor(
    readonly region: string,
    readonly client: ClientRedis,
  ) {}

  recordPending(nodeId: string, backlog: number, oldestAtMs: number | null): void {
    this.pending.set(nodeId, { backlog, oldestAtMs });
  }

  /** The peer's replicator answered. */
  recordContact(nowMs: number): void {
    this.state = 'up';
    this.lastContactMs = nowMs;
    this.lastError = null;
  }

  /** The peer applied a shipment. */
  recordApplied(nowMs: number): void {
    this.recordContact(nowMs);
    this.lastSuccessfulApplyMs = nowMs;
  }

  msSinceContact(nowMs: number): number {
    return nowMs - this.lastContactMs;
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
