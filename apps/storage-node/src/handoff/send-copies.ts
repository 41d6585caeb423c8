import { byteGroups, valueBytesOf, type ConflictResolution } from '@geokv/protocol';
import { keyIdOf, type KeyRef } from '../kv/key-id';
import type { ReplicaClient } from '../region/replica-client';
import { replicatedVersionOf } from '../replication/replicated-version';
import type { StoredVersion } from '../versions/stored-version';
import { SEND_BYTES_IN_FLIGHT } from './send-budget';

/** A key this node sends its copy of, and the replicas it goes to. */
export interface KeyMove {
  readonly ref: KeyRef;
  readonly to: readonly string[];
}

/**
 * Sends every version of each moved key (as loaded, by key id) to the key's new replicas, which merge it as
 * any replica write, SEND_BYTES_IN_FLIGHT of values at a time; resolves once all of them have it durably,
 * rejects if any did not (sending again changes nothing).
 */
export async function sendCopies(
  replicas: ReplicaClient,
  strategyOf: (keyspace: string) => ConflictResolution,
  requestId: string,
  moves: readonly KeyMove[],
  versions: ReadonlyMap<string, readonly StoredVersion[]>,
): Promise<void> {
  for (const group of byteGroups(moves, (move) => bytesOfMove(move, versions), SEND_BYTES_IN_FLIGHT)) {
    await Promise.all(
      group.flatMap(({ ref, to }) =>
        (versions.get(keyIdOf(ref)) ?? []).flatMap((version) =>
          to.map((node) => replicas.write(node, { requestId, version: replicatedVersionOf(ref, version), strategy: strategyOf(ref.keyspace), hintFor: null })),
        ),
      ),
    );
  }
}

/** The bytes of values the moves send, counting each replica a value goes to. */
export function bytesOfMoves(moves: readonly KeyMove[], versions: ReadonlyMap<string, readonly StoredVersion[]>): number {
  return moves.reduce((sum, move) => sum + bytesOfMove(move, versions), 0);
}

function bytesOfMove({ ref, to }: KeyMove, versions: ReadonlyMap<string, readonly StoredVersion[]>): number {
  return to.length * valueBytesOf(versions.get(keyIdOf(ref)) ?? []);
}
