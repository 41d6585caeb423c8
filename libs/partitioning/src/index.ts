export { DuplicateMemberError, EmptyRingError } from './errors';
export { hashToPosition, RING_SIZE } from './hash';
export { DEFAULT_VNODES_PER_NODE, Ring } from './ring';
export type { RingMember, RingOptions } from './ring';
export { bucketOf, DIGEST_BYTES, MerkleTree, xorInto } from './merkle';
