import { RING_SIZE } from './hash';
import type { Ring } from './ring';

/** A partition: the arc of the hash space (start, end] between two consecutive tokens of either ring. */
export interface PartitionMove {
  readonly start: number;
  readonly end: number;
  /** Replicas before the change, in preference order. */
  readonly from: readonly string[];
  /** Replicas after it. */
  readonly to: readonly string[];
}

export interface PartitionMoves {
  /** Partitions of the hash space: the arcs between the tokens of both rings together. */
  readonly partitions: number;
  /** The partitions whose replica set changes. */
  readonly moves: readonly PartitionMove[];
}

/**
 * Which partitions change hands when a ring becomes another, with `n` replicas per key (capped by each
 * ring's size). The tokens of both rings cut the hash space into arcs; inside one arc every key has the same
 * replicas in each ring, so comparing one position per arc is exact.
 */
export function partitionMoves(before: Ring, after: Ring, n: number): PartitionMoves {
  const bounds = [...new Set([...before.tokenPositions(), ...after.tokenPositions()])].sort((a, b) => a - b);
  const moves: PartitionMove[] = [];
  const nBefore = Math.min(n, before.size);
  const nAfter = Math.min(n, after.size);
  for (let i = 0; i < bounds.length; i++) {
    const end = bounds[i];
    const start = i === 0 ? bounds[bounds.length - 1] - RING_SIZE : bounds[i - 1];
    // A key at `end` belongs to this arc; every position in (start, end] maps to the same tokens.
    const from = before.preferenceListAt(end, nBefore);
    const to = after.preferenceListAt(end, nAfter);
    if (!sameMembers(from, to)) moves.push({ start, end, from, to });
  }
  return { partitions: bounds.length, moves };
}

function sameMembers(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((node) => b.includes(node));
}
