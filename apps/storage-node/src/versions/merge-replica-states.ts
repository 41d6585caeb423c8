import type { ConflictResolution } from '@geokv/protocol';
import { encodeContext, merge } from '@geokv/vector-clock';
import { incorporateVersion } from './incorporate-version';
import { dotId, type StoredVersion } from './stored-version';

/** A version's identity between replicas: its dot and its context (which grows when an lww winner absorbs a loser). */
export function versionIdentity(version: StoredVersion): string {
  return `${dotId(version)}\n${encodeContext(version.context)}`;
}

/**
 * The key's state that several replicas' states add up to: the same merge a replica applies to each version
 * it receives, so the result is what every replica will hold once read repair has brought them each version.
 *
 * Guarantees: independent of the order of `states` and of the versions in them; a version held by any
 * replica is in the result unless another one supersedes it (or, under lww, wins over it).
 */
export function mergeReplicaStates(states: readonly (readonly StoredVersion[])[], strategy: ConflictResolution): StoredVersion[] {
  // Copies of one dot can differ in context only; their union is the copy that has seen the most.
  const byDot = new Map<string, StoredVersion>();
  for (const state of states) {
    for (const version of state) {
      const dot = dotId(version);
      const held = byDot.get(dot);
      byDot.set(dot, held === undefined ? version : { ...held, context: merge(held.context, version.context) });
    }
  }
  let merged: readonly StoredVersion[] = [];
  for (const version of byDot.values()) merged = incorporateVersion(merged, version, strategy).versions;
  return [...merged];
}

/** The versions of `merged` that `state` lacks: what read repair sends that replica. */
export function missingFrom(state: readonly StoredVersion[], merged: readonly StoredVersion[]): StoredVersion[] {
  const held = new Set(state.map(versionIdentity));
  return merged.filter((version) => !held.has(versionIdentity(version)));
}
