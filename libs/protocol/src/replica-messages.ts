import type { ConflictResolution } from './keyspace-policy';
import type { ReplicatedVersion } from './replication-messages';
import type { RequestMeta } from './storage-messages';

/** A version for one replica of its key, from the key's coordinator (a write, a read repair or a handoff). */
export interface ReplicaWrite extends RequestMeta {
  readonly version: ReplicatedVersion;
  readonly strategy: ConflictResolution;
  /**
   * The down home replica this node stands in for. The node keeps a durable hint with the version and
   * hands the key to that replica once it is back.
   */
  readonly hintFor: string | null;
}

export interface ReplicaWriteResult {
  /** False when the replica already held the version or a newer one. */
  readonly applied: boolean;
}

/** A coordinator asks a replica for everything it holds of a key. */
export interface ReplicaRead extends RequestMeta {
  readonly keyspace: string;
  readonly key: string;
  /**
   * A digest read: every version comes without its value (`value: null` on a version that is not a
   * tombstone). The coordinator, which has the values from its own copy, asks for one only when a
   * replica holds a version it lacks. A replica of an earlier release ignores it and sends the values.
   */
  readonly withoutValues?: boolean;
}

export interface ReplicaReadResult {
  /** Every stored version, tombstones included. */
  readonly versions: readonly ReplicatedVersion[];
}
