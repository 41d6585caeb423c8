export type Consistency = 'eventual' | 'strong';
export type ConflictResolution = 'lww' | 'siblings' | 'manual';

export const CONSISTENCIES: readonly Consistency[] = ['eventual', 'strong'];
export const CONFLICT_RESOLUTIONS: readonly ConflictResolution[] = ['lww', 'siblings', 'manual'];

/** A keyspace's policy, as the control plane stores it and every app caches it. */
export interface KeyspacePolicy {
  readonly name: string;
  readonly consistency: Consistency;
  readonly conflictResolution: ConflictResolution;
  /** Applied to writes without `X-TTL`; null means values never expire. */
  readonly defaultTtlSeconds: number | null;
  readonly replicationFactor: number;
  readonly readQuorum: number;
  readonly writeQuorum: number;
}

/**
 * A policy as it replicates between regions: a last-writer-wins register ordered by (changedAtMs,
 * originRegion), so every region ends up with the same definition whatever order they arrive in; except
 * that a deletion beats every definition that is not one (see supersedes).
 */
export interface KeyspaceDefinition {
  readonly policy: KeyspacePolicy;
  readonly changedAtMs: number;
  readonly originRegion: string;
  /** The keyspace was deleted: its data is purged everywhere, and its name is not reused. */
  readonly deleted: boolean;
}

/**
 * Whether definition `a` replaces `b` of the same keyspace: a deletion replaces any live definition, and
 * otherwise the later (changedAtMs, originRegion) wins. A deletion must win whatever the clocks say: a
 * region that redefined the keyspace while cut off from the deletion would otherwise bring it back, with
 * whatever data the other regions had not purged yet.
 */
export function supersedes(a: KeyspaceDefinition, b: KeyspaceDefinition): boolean {
  if (a.deleted !== b.deleted) return a.deleted;
  return a.changedAtMs !== b.changedAtMs ? a.changedAtMs > b.changedAtMs : a.originRegion > b.originRegion;
}

/** The version of membership's catalog, announced without the keyspaces. */
export interface CatalogVersion {
  readonly version: number;
}

/** All keyspaces, versioned so that a cache can tell a newer catalog from an older one. */
export interface Catalog {
  readonly version: number;
  readonly keyspaces: readonly KeyspacePolicy[];
  /** The names of deleted keyspaces: storage nodes purge their data and drop versions that still arrive. */
  readonly deleted: readonly string[];
}

/**
 * A request for the catalog. With the version the asker holds, membership answers `CatalogUnchanged` when
 * its own is the same: every process polls the catalog (a replicator every second), and a poll that
 * carried all keyspaces back each time (3,000 of them are about 450 KB) cost membership and the poller
 * their encoding and decoding for nothing.
 */
export interface CatalogRequest {
  readonly heldVersion?: number;
}

/** Membership's catalog has the version the asker holds. */
export interface CatalogUnchanged {
  readonly version: number;
  readonly unchanged: true;
}

export type CatalogAnswer = Catalog | CatalogUnchanged;

/** The catalog an answer carries, or null when the asker's is current. */
export function changedCatalogOf(answer: CatalogAnswer): Catalog | null {
  return 'unchanged' in answer ? null : answer;
}

/**
 * Keyspace `default` always exists; migrations seed it with this policy, and omitted fields of a new
 * keyspace take these values. Three replicas with majority quorums (R + W > N) survive the loss of any one
 * node with no error a client can see; a region with fewer nodes holds as many replicas as it has nodes.
 */
export const DEFAULT_KEYSPACE: KeyspacePolicy = {
  name: 'default',
  consistency: 'eventual',
  conflictResolution: 'lww',
  defaultTtlSeconds: null,
  replicationFactor: 3,
  readQuorum: 2,
  writeQuorum: 2,
};
