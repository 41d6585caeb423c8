import type { AcceptorState, AcceptReply, Ballot, PrepareReply } from '@geokv/caspaxos';
import type { ListRequest, RequestMeta } from './storage-messages';

/** How many of the latest operations a strong value remembers (see StrongValue.recentOps). */
export const STRONG_RECENT_OPS = 32;

/** The register value of a strong key as acceptors store and send it. */
export interface StrongValue {
  /** Empty for a tombstone. */
  readonly value: Buffer;
  readonly contentType: string;
  /** Names the write that made this value (its operation id); a read or a failed compare-and-set keeps it. */
  readonly etag: string;
  /** A delete: the key reads as absent. It is a value rather than nothing so that it can carry recentOps. */
  readonly tombstone: boolean;
  /** How many writes (deletes included) made the key's history up to this value: 1 for the first. */
  readonly version: number;
  /**
   * The ids of the writes that made versions `version - recentOps.length + 1` to `version`, oldest first
   * (at most STRONG_RECENT_OPS). A proposer whose retry finds its own id here knows its earlier attempt
   * took effect; one that finds the window reaching back to the version its write would have had, without
   * its id, knows it did not. So retries are exactly-once (see EarlierAttempts in libs/caspaxos).
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
  /**
   * A ballot above `ballot` that the acceptor also promises on accepting (libs/caspaxos `accept`), so that
   * the proposer's next operation on the key can skip its prepare; it answers `promisedNext: true`. Absent
   * from an earlier release's gateway, and ignored by an earlier release's node, which answers without it.
   */
  readonly promiseNext?: Ballot | null;
}

export type AcceptResult = AcceptReply;

/** A strong key, as acceptor rows are keyed. */
export interface AcceptorKey {
  readonly keyspace: string;
  readonly key: string;
}

/** One strong key's acceptor state, as the node that held it hands it to the key's new acceptor node. */
export interface AcceptorRecord extends AcceptorKey {
  readonly state: AcceptorState<StrongValue>;
}

/** The value bytes a record carries: what bounds a message of records. */
export function bytesOfAcceptorRecord(record: AcceptorRecord): number {
  return record.state.accepted?.value?.value.length ?? 0;
}

/** A rebalance's handover of acceptor state; the receiver merges each record into what it holds. */
export interface AcceptorHandover extends RequestMeta {
  readonly rebalanceId: number;
  readonly records: readonly AcceptorRecord[];
  /**
   * The acceptor floor of the node the state comes from (libs/caspaxos garbage-collection.ts): the
   * receiver raises its own to it, since the keys it takes over were refused everything up to it. Absent
   * from an earlier release, which collected nothing.
   */
  readonly floor?: Ballot | null;
}

/**
 * A listing's request to one node for the keys it holds acceptor state for, with the last rebalance the
 * asker's view of the region has seen finish: a node whose view has seen another one finish refuses (its
 * moved keys are on a node the asker does not know to ask).
 */
export interface AcceptorKeysRequest extends ListRequest {
  readonly lastRebalanceId: number | null;
}

/** One node's page of the keys it holds acceptor state for (a ListRequest's), in byte order. */
export interface NodeKeys {
  readonly node: string;
  readonly keys: readonly string[];
}

/** A region's part of a strong keyspace's listing: the page of every node that holds its acceptor state. */
export interface RegionAcceptorKeys {
  readonly listings: readonly NodeKeys[];
}

/**
 * A storage node a region lost with its database (a leave of a node that is down): the keys whose
 * acceptor it was, in the ring of `members`, are the keys whose state the region rebuilds from its peers.
 */
export interface LostAcceptor {
  readonly node: string;
  readonly members: readonly string[];
  readonly vnodesPerNode: number;
}

/**
 * A page of the acceptor state a storage node holds of a lost acceptor's keys: it scans `limit` rows after
 * `after`, in key order. The asker names the last rebalance its view of the node's region has seen finish; a
 * node whose view has seen another refuses (its rows may have moved between the region's nodes).
 */
export interface AcceptorStatesRequest extends RequestMeta {
  readonly lost: LostAcceptor;
  readonly after: AcceptorKey | null;
  readonly limit: number;
  readonly lastRebalanceId: number | null;
}

/**
 * A region rebuilding a lost acceptor asks a peer for a page, which each of the peer's acceptor nodes
 * scans. On the scan's first page the peer takes the last rebalance its own view has seen finish (and
 * answers with it); later pages carry that one, and the scan starts over when a node refuses it.
 */
export interface RegionAcceptorStatesRequest extends AcceptorStatesRequest {
  readonly firstPage: boolean;
}

/** A peer's page of a lost acceptor's keys' state; `next` null once every one of its nodes was scanned to the end. */
export interface RegionAcceptorStates {
  readonly records: readonly AcceptorRecord[];
  readonly next: AcceptorKey | null;
  readonly lastRebalanceId: number | null;
  /** The highest acceptor floor of the peer's nodes: the rebuilt node's must be at least that. */
  readonly floor?: Ballot | null;
}

/**
 * One node's page: the matching records among the rows it scanned, and the last row scanned (null: it has no
 * more). A page stops early, at its last record, once its values reach a few MiB.
 */
export interface NodeAcceptorStates {
  readonly records: readonly AcceptorRecord[];
  readonly scannedThrough: AcceptorKey | null;
  /** The node's acceptor floor (null: it never dropped a row). Absent from an earlier release. */
  readonly floor?: Ballot | null;
}

/**
 * Garbage collection's look at one node's acceptor rows: the next `limit` after `after`, and which of them
 * hold no live value and were promised nothing since ballot counter `untouchedSinceCounter`.
 */
export interface AcceptorCollectionScanRequest extends RequestMeta {
  readonly after: AcceptorKey | null;
  readonly limit: number;
  readonly untouchedSinceCounter: number;
  /** A value that expired before this (ms since the epoch) counts as no live value. */
  readonly expiredBeforeMs: number;
}

export interface AcceptorCollectionScan {
  /** The keys worth a collection round. */
  readonly keys: readonly AcceptorKey[];
  /** The last row scanned; null once the node has no more. */
  readonly scannedThrough: AcceptorKey | null;
}

/** Garbage collection's drop of one key's acceptor row, if it is still collection round `ballot`'s empty register. */
export interface CollectRequest extends RequestMeta {
  readonly keyspace: string;
  readonly key: string;
  readonly ballot: Ballot;
}

export interface CollectResult {
  readonly dropped: boolean;
}
