import { performance } from 'node:perf_hooks';

/**
 * Whether this node may answer CASPaxos messages as its keys' acceptor: only within `leaseMs` of sending a
 * heartbeat that membership answered with an epoch its view of the ring has reached. A node frozen (a
 * stopped process, a long pause) or cut off from its region's Redis holds an old view when it comes back,
 * and with it would still answer for keys that membership has since given to another node, whose state a
 * replicator rebuilt from the peer regions (see AcceptorRebuild): two acceptors for one key in one region.
 * The rebuild waits out the lease, and the lease is counted from the heartbeat's sending on a monotonic
 * clock, so a node that comes back has lapsed whatever its view says; it answers again only once it has
 * adopted a view membership confirms. Pure, with the clock injected.
 */
export class AcceptorLease {
  private validUntilMs = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly leaseMs: number,
    readonly now: () => number = () => performance.now(),
  ) {}

  /**
   * Membership answered the heartbeat sent at `sentAtMs` (by `now`) with `membershipEpoch`. Renews the lease
   * if the node's view has that epoch; false if the view is behind (the node should fetch the ring).
   */
  confirm(sentAtMs: number, membershipEpoch: number, viewEpoch: number): boolean {
    if (membershipEpoch > viewEpoch) return false;
    this.validUntilMs = Math.max(this.validUntilMs, sentAtMs + this.leaseMs);
    return true;
  }

  holds(): boolean {
    return this.now() < this.validUntilMs;
  }
}
