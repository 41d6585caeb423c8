import { compareHlc } from '@geokv/vector-clock';
import type { StoredVersion } from './stored-version';

/**
 * Last-writer-wins order: HLC timestamp, then actor, then counter. Total over distinct dots, so every
 * region picks the same winner from the same set of versions, whatever order they arrived in.
 */
export function lwwCompare(a: StoredVersion, b: StoredVersion): number {
  const byTime = compareHlc(a.hlc, b.hlc);
  if (byTime !== 0) return byTime;
  if (a.dot.actor !== b.dot.actor) return a.dot.actor < b.dot.actor ? -1 : 1;
  return a.dot.counter - b.dot.counter;
}
