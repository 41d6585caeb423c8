import type { VectorClock } from '@geokv/vector-clock';
import type { StoredVersion } from '../versions/stored-version';
import { packedValue, PackedValues } from './packed-values';

/** A `versions` row as `pg` returns it: bigint columns arrive as strings. */
export interface VersionRow {
  readonly keyspace: string;
  readonly key: string;
  readonly dot_actor: string;
  readonly dot_counter: string;
  readonly context: VectorClock;
  readonly hlc_wall_ms: string;
  readonly hlc_logical: number;
  readonly origin_region: string;
  readonly tombstone: boolean;
  readonly value: Buffer | null;
  readonly content_type: string | null;
  readonly expires_at: Date | null;
}

export const VERSION_COLUMNS =
  'keyspace, key, dot_actor, dot_counter, context, hlc_wall_ms, hlc_logical, origin_region, tombstone, value, content_type, expires_at';

export function versionFromRow(row: VersionRow): StoredVersion {
  return {
    dot: { actor: row.dot_actor, counter: Number(row.dot_counter) },
    context: row.context,
    hlc: { wallMs: Number(row.hlc_wall_ms), logical: row.hlc_logical },
    originRegion: row.origin_region,
    tombstone: row.tombstone,
    value: row.value,
    contentType: row.content_type,
    expiresAtMs: row.expires_at === null ? null : row.expires_at.getTime(),
  };
}

/**
 * Column arrays for `unnest(...)`: a whole batch becomes one statement with a fixed number of parameters,
 * whatever its size, so PostgreSQL parses and plans it once per batch instead of once per row.
 * The values are the exception: they travel packed (see PackedValues).
 */
export class VersionColumns {
  readonly keyspace: string[] = [];
  readonly key: string[] = [];
  readonly dotActor: string[] = [];
  readonly dotCounter: number[] = [];
  readonly context: string[] = [];
  readonly hlcWallMs: number[] = [];
  readonly hlcLogical: number[] = [];
  readonly originRegion: string[] = [];
  readonly tombstone: boolean[] = [];
  readonly values = new PackedValues();
  readonly contentType: (string | null)[] = [];
  readonly expiresAt: (string | null)[] = [];

  push(keyspace: string, key: string, version: StoredVersion): void {
    this.keyspace.push(keyspace);
    this.key.push(key);
    this.dotActor.push(version.dot.actor);
    this.dotCounter.push(version.dot.counter);
    this.context.push(JSON.stringify(version.context));
    this.hlcWallMs.push(version.hlc.wallMs);
    this.hlcLogical.push(version.hlc.logical);
    this.originRegion.push(version.originRegion);
    this.tombstone.push(version.tombstone);
    this.values.push(version.value);
    this.contentType.push(version.contentType);
    this.expiresAt.push(version.expiresAtMs === null ? null : new Date(version.expiresAtMs).toISOString());
  }

  get length(): number {
    return this.key.length;
  }

  /** Parameters in VERSION_COLUMNS order, the value lengths in the value's place (see versionRows). */
  params(): unknown[] {
    return [
      this.keyspace,
      this.key,
      this.dotActor,
      this.dotCounter,
      this.context,
      this.hlcWallMs,
      this.hlcLogical,
      this.originRegion,
      this.tombstone,
      this.values.lengths,
      this.contentType,
      this.expiresAt,
    ];
  }
}

/**
 * The rows pushed by VersionColumns, as a subquery with VERSION_COLUMNS and `n` (the row's position):
 * its column parameters start at `first`, and `bytes` is the parameter holding `values.bytes()`.
 */
export function versionRows(first: number, bytes: number): string {
  const types = ['text', 'text', 'text', 'bigint', 'jsonb', 'bigint', 'int', 'text', 'bool', 'int', 'text', 'timestamptz'];
  return `(SELECT keyspace, key, dot_actor, dot_counter, context, hlc_wall_ms, hlc_logical, origin_region, tombstone,
           ${packedValue(bytes, 'value_length', 'n')} AS value, content_type, expires_at, n
      FROM unnest(${types.map((type, i) => `$${first + i}::${type}[]`).join(', ')}) WITH ORDINALITY
           AS u(keyspace, key, dot_actor, dot_counter, context, hlc_wall_ms, hlc_logical, origin_region, tombstone, value_length, content_type, expires_at, n))`;
}
