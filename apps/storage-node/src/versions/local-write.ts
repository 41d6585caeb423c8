import type { ConflictResolution } from '@geokv/protocol';
import { mergeContexts, nextDot, type HlcTimestamp, type VectorClock } from '@geokv/vector-clock';
import { incorporateVersion, type Incorporation } from './incorporate-version';
import type { StoredVersion } from './stored-version';

export interface LocalWrite {
  readonly tombstone: boolean;
  readonly value: Buffer | null;
  readonly contentType: string | null;
  /** The client's causal context; null when it sent none. */
  readonly context: VectorClock | null;
  readonly expiresAtMs: number | null;
}

export interface Coordinator {
  /** This node's actor id in clocks: unique across every region. */
  readonly actor: string;
  readonly region: string;
  readonly conflictResolution: ConflictResolution;
}

export interface LocalWriteOutcome extends Incorporation {
  readonly written: StoredVersion;
}

/**
 * The eventual write path at the coordinator. The new version's context is the client's context or,
 * without one, everything the node holds for the key (a blind write overwrites what it can see). Its dot
 * is this actor's next counter for the key, so a write made from an older context stays concurrent with
 * the versions it did not see: two clients racing through one coordinator become siblings, not a lost
 * update.
 */
export function applyLocalWrite(
  current: readonly StoredVersion[],
  write: LocalWrite,
  coordinator: Coordinator,
  hlc: HlcTimestamp,
): LocalWriteOutcome {
  const context = write.context ?? mergeContexts(current);
  const written: StoredVersion = {
    dot: nextDot(coordinator.actor, context, current),
    context,
    hlc,
    originRegion: coordinator.region,
    tombstone: write.tombstone,
    value: write.tombstone ? null : write.value,
    contentType: write.tombstone ? null : write.contentType,
    expiresAtMs: write.tombstone ? null : write.expiresAtMs,
  };
  return { ...incorporateVersion(current, written, coordinator.conflictResolution), written };
}
