export { DuplicateMemberError, EmptyRingError } from './errors';
export { hashToPosition, RING_SIZE } from './hash';
export { DEFAULT_VNODES_PER_NODE, Ring } from './ring';
export type { RingMember, RingOptions } from './ring';
export { bucketOf, DIGEST_BYTES, MerkleTree, xorInto } from './merkle';
export { RegionRing } from './region-ring';
export type { RegionLayout, ReplicaTarget } from './region-ring';
export { partitionMoves } from './partition-moves';
export type { PartitionMove, PartitionMoves } from './partition-moves';
