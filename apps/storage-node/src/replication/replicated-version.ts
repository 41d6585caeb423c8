import type { ReplicatedVersion } from '@geokv/protocol';
import type { KeyRef } from '../kv/key-id';
import type { StoredVersion } from '../versions/stored-version';

/** A stored version in its wire form between regions. */
export function replicatedVersionOf(ref: KeyRef, version: StoredVersion): ReplicatedVersion {
  return {
    keyspace: ref.keyspace,
    key: ref.key,
    dotActor: version.dot.actor,
    dotCounter: version.dot.counter,
    context: version.context,
    hlcWallMs: version.hlc.wallMs,
    hlcLogical: version.hlc.logical,
    originRegion: version.originRegion,
    tombstone: version.tombstone,
    value: version.value,
    contentType: version.contentType,
    expiresAtMs: version.expiresAtMs,
  };
}

/** A version from another region, as this node stores it. */
export function storedVersionOf(version: ReplicatedVersion): StoredVersion {
  return {
    dot: { actor: version.dotActor, counter: version.dotCounter },
    context: version.context,
    hlc: { wallMs: version.hlcWallMs, logical: version.hlcLogical },
    originRegion: version.originRegion,
    tombstone: version.tombstone,
    value: version.value,
    contentType: version.contentType,
    expiresAtMs: version.expiresAtMs,
  };
}
