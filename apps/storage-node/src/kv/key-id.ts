import { placementKey } from '@geokv/protocol';

/** A key's identity inside one shard. */
export interface KeyRef {
  readonly keyspace: string;
  readonly key: string;
}

/** The same unambiguous string the ring places the key by, so there is one definition of it. */
export function keyIdOf(ref: KeyRef): string {
  return placementKey(ref.keyspace, ref.key);
}
