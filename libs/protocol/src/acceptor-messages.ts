import type { AcceptReply, Ballot, PrepareReply } from '@geokv/caspaxos';
import type { RequestMeta } from './storage-messages';

/**
 * The register value of a strong key as acceptors store and send it. The bytes travel base64-encoded
 * (the transport is JSON) and are decoded once, by the acceptor's storage node.
 */
export interface StrongValue {
  /** base64 */
  readonly value: string;
  readonly contentType: string;
  /** Names the write that made this value; a read or a failed compare-and-set keeps it. */
  readonly etag: string;
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
