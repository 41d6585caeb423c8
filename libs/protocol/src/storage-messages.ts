import type { ConflictResolution } from './keyspace-policy';

/**
 * Every request carries the gateway's request id so that each app's log lines can name it. Work done once
 * for several requests (a strong round shared by operations on one key, an acceptor batch that fails as a
 * whole) names all of them, as `requestIdsOf` joins them.
 */
export interface RequestMeta {
  readonly requestId: string;
}

/**
 * The request ids of work shared by several requests, comma-separated: a search of the logs for any one of
 * them finds the lines about the shared work. Unambiguous, since no request id holds a comma (see
 * requestIdOf in @geokv/observability).
 */
export function requestIdsOf(requests: readonly RequestMeta[]): string {
  return requests.length === 1 ? requests[0].requestId : requests.map((request) => request.requestId).join(',');
}

/** How many replicas of the key the region keeps, and how many must answer. */
export interface ReplicaQuorum {
  /** The keyspace's replication factor N. */
  readonly replicas: number;
  /** W for a write, R for a read; at most N. */
  readonly quorum: number;
}

/** A write (put or delete) addressed to the key's coordinator. */
export interface WriteRequest extends RequestMeta {
  readonly keyspace: string;
  readonly key: string;
  readonly tombstone: boolean;
  /** Absent for a delete. */
  readonly value?: Buffer;
  readonly contentType?: string;
  /** The client's causal context token, already validated by the gateway; absent when the client sent none. */
  readonly context?: string;
  /** Seconds until the value expires; absent or null for no expiry. */
  readonly ttlSeconds?: number | null;
  readonly conflictResolution: ConflictResolution;
  /** If-Match: the write applies only if the key's single live version has one of these etags ('*': any). */
  readonly ifMatch?: readonly string[];
  /** If-None-Match: * — the write applies only if the key has no live version. */
  readonly ifNoneMatch?: boolean;
  /** Absent: one replica (what a node that predates replication expects). */
  readonly replication?: ReplicaQuorum;
}

export interface WriteResult {
  /** Context token covering the new version: what the client sends with its next write. */
  readonly context: string;
  readonly etag: string;
  /** False when a delete found nothing live to delete and so wrote nothing. */
  readonly written: boolean;
}

export interface ReadRequest extends RequestMeta {
  readonly keyspace: string;
  readonly key: string;
  /** Absent: read this node's copy only. */
  readonly replication?: ReplicaQuorum;
  /** How the coordinator merges replicas that disagree; absent with `replication`. */
  readonly conflictResolution?: ConflictResolution;
}

/** One live version as it travels to the gateway. */
export interface WireVersion {
  readonly value: Buffer;
  readonly contentType: string;
  readonly etag: string;
  readonly originRegion: string;
  readonly lastModifiedMs: number;
  readonly expiresAtMs: number | null;
}

export interface ReadResult {
  /** Live versions only: tombstones and expired versions are never sent. Several means siblings. */
  readonly versions: readonly WireVersion[];
  /** Covers every stored version, tombstones included; null when the key has no history at all. */
  readonly context: string | null;
}

export interface ListRequest extends RequestMeta {
  readonly keyspace: string;
  readonly prefix: string;
  /** Exclusive lower bound: the last key of the previous page. */
  readonly after: string | null;
  readonly limit: number;
}

export interface OpenConflictsRequest extends RequestMeta {
  readonly limit: number;
}

/** A key of a `manual` keyspace whose siblings wait for an operator's resolution. */
export interface OpenConflict {
  readonly keyspace: string;
  readonly key: string;
  readonly siblings: number;
  readonly queuedAtMs: number;
}

export interface OpenConflictsResult {
  readonly conflicts: readonly OpenConflict[];
}

export interface ListResult {
  /** Live keys in byte order. */
  readonly keys: readonly string[];
}
