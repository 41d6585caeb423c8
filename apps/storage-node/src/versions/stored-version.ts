import type { Causality, HlcTimestamp } from '@geokv/vector-clock';

/**
 * One stored version of a key: its causality (a dot plus the context it was written with), its
 * last-writer-wins timestamp, and its payload. A key's state is the list of its versions; more than one
 * live version means siblings.
 */
export interface StoredVersion extends Causality {
  readonly hlc: HlcTimestamp;
  readonly originRegion: string;
  readonly tombstone: boolean;
  /** null for a tombstone. */
  readonly value: Buffer | null;
  readonly contentType: string | null;
  readonly expiresAtMs: number | null;
}

/** A version that lost a resolution and is kept in the conflicts table instead of being dropped. */
export interface ConflictRecord {
  readonly keyspace: string;
  readonly key: string;
  readonly version: StoredVersion;
  readonly resolution: 'lww' | 'manual';
  readonly winner: StoredVersion | null;
}

/** True when the version is a value a reader may see at `nowMs`. */
export function isLive(version: StoredVersion, nowMs: number): boolean {
  return !version.tombstone && (version.expiresAtMs === null || version.expiresAtMs > nowMs);
}

/** A version's dot as one string: the key by which copies of the same write are matched. */
export function dotId(version: StoredVersion): string {
  return `${version.dot.actor}\n${version.dot.counter}`;
}
