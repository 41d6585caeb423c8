import { ShardSchema1764100000000 } from './1764100000000-shard-schema';

/** In order. Listed explicitly rather than globbed so that a build can never miss or reorder one. */
export const SHARD_MIGRATIONS = [ShardSchema1764100000000];
