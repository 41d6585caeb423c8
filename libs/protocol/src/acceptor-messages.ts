import type { AcceptReply, Ballot, PrepareReply } from '@geokv/caspaxos';
import type { RequestMeta } from './storage-messages';

/** How many of the latest operations a strong value remembers (see StrongValue.recentOps). */
export const STRONG_RECENT_OPS = 32;

/**
 * The register value of a strong key as acceptors store and send it. The bytes travel base64-encoded
 * (the transport is JSON) and are decoded once, by the acceptor's storage node.
 */
export interface StrongValue {
  /** base64; empty for a tombstone. */
  readonly value: string;
  readonly contentType: string;
  /** Names the write that made this value (its operation id); a read or a failed compare-and-set keeps it. */
  readonly etag: string;
  /** A delete: the key reads as absent. It is a value rather than nothing so that it can carry recentOps. */
  readonly tombstone: boolean;
  /**
   * The ids of the last STRONG_RECENT_OPS operations that changed the key, oldest first. A proposer whose
   * retry finds its own id here knows its earlier attempt took effect, and one that finds a lineage
   * shorter than the limit without it knows it did not: retries are exactly-once (see EarlierAttempts).
   */
  readonly recentOps: readonly string[];
  readonly lastModifiedMs: number;
  readonly expiresAtMs: number | null;
  /** The region whose gateway proposed the write. */
  readonly originRegion: string;
}

/** CASPaxos phase 1 for one key, addressed to the acceptor of one region. */
export interface PrepareRequest extends RequestMeta {
  readonly keyspace: string;
  readonly key: string;
  readonly ballot: Ballot;
}

export type PrepareResult = PrepareReply<StrongValue>;

/** CASPaxos phase 2; `value` null empties the register (a delete). */
export interface AcceptRequest extends RequestMeta {
  readonly keyspace: string;
  readonly key: string;
  readonly ballot: Ballot;
  readonly value: StrongValue | null;
}

export type AcceptResult = AcceptReply;
