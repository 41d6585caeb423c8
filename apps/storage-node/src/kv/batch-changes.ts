import type { ConflictRecord, StoredVersion } from '../versions/stored-version';
import type { ConflictResolution } from '@geokv/protocol';
import type { KeyRef } from './key-id';

/** Everything one group commit writes, as the net effect of all the writes in the batch. */
export interface BatchChanges {
  /** Versions that left the key's state (replaced, or resolved away). */
  readonly removed: readonly (KeyRef & { readonly version: StoredVersion })[];
  /** New versions, and held versions whose context grew (an LWW winner absorbing its losers). */
  readonly upserted: readonly (KeyRef & { readonly version: StoredVersion })[];
  /** One replication-log row per accepted write, in acknowledgement order. */
  readonly outbox: readonly (KeyRef & { readonly version: StoredVersion })[];
  readonly conflicts: readonly ConflictRecord[];
  /** Keys this node took for a down home replica: what it must hand over once that replica is back. */
  readonly hints: readonly Hint[];
  /** Keys merged as absent without a read: the commit applies only if none of them has a row (AbsenceSpeculation). */
  readonly assumedAbsent: readonly KeyRef[];
}

export interface Hint extends KeyRef {
  readonly target: string;
  readonly strategy: ConflictResolution;
}
