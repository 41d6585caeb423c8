import { ShardSchema1764100000000 } from './1764100000000-shard-schema';
import { ReplicationCursors1764200000000 } from './1764200000000-replication-cursors';
import { TombstoneIndex1764200000002 } from './1764200000002-tombstone-index';
import { Hints1764300000000 } from './1764300000000-hints';
import { AcceptorState1764400000000 } from './1764400000000-acceptor-state';
import { ReplicaSpread1764500000000 } from './1764500000000-replica-spread';
import { ConflictAgeIndex1764600000000 } from './1764600000000-conflict-age-index';
import { ConflictsByKeyspace1764700000000 } from './1764700000000-conflicts-by-keyspace';
import { AcceptorFloor1764800000000 } from './1764800000000-acceptor-floor';

/** In order. Listed explicitly rather than globbed so that a build can never miss or reorder one. */
export const SHARD_MIGRATIONS = [
  ShardSchema1764100000000,
  ReplicationCursors1764200000000,
  TombstoneIndex1764200000002,
  Hints1764300000000,
  AcceptorState1764400000000,
  ReplicaSpread1764500000000,
  ConflictAgeIndex1764600000000,
  ConflictsByKeyspace1764700000000,
  AcceptorFloor1764800000000,
];
