import { LRUCache } from 'lru-cache';
import type { StoredVersion } from '../versions/stored-version';

// Memory beyond the value bytes, measured on Node 20 (heap plus Buffer bookkeeping, 100-byte values):
// about 600 bytes per version object and 200 per cache entry, plus the key string.
const VERSION_OVERHEAD_BYTES = 600;
const ENTRY_OVERHEAD_BYTES = 200;

/**
 * L1: the latest committed versions of recently used keys, an empty list included (a known-absent key).
 *
 * It is coherent without invalidation messages because this process is the shard's only writer: the write
 * batcher stores every key's new state right after its commit. A reader that filled the cache from the
 * database could race that commit, so readers only fill a key that is absent from the cache and not in
 * the batch being committed (`fillIfAbsent`). Do not let readers overwrite entries: the writer's copy is
 * always at least as new.
 */
export class VersionCache {
  private readonly lru: LRUCache<string, readonly StoredVersion[]>;

  constructor(maxBytes: number) {
    this.lru = new LRUCache({
      maxSize: maxBytes,
      sizeCalculation: (versions, keyId) =>
        versions.reduce(
          (bytes, version) => bytes + VERSION_OVERHEAD_BYTES + (version.value?.length ?? 0),
          ENTRY_OVERHEAD_BYTES + keyId.length * 2,
        ),
    });
  }

  get(keyId: string): readonly StoredVersion[] | undefined {
    return this.lru.get(keyId);
  }

  /** The writer's path: the committed state, always stored. */
  store(keyId: string, versions: readonly StoredVersion[]): void {
    this.lru.set(keyId, withOwnValues(versions));
  }

  /** The reader's path: only fills a gap, never replaces what the writer stored. */
  fillIfAbsent(keyId: string, versions: readonly StoredVersion[]): void {
    if (!this.lru.has(keyId)) this.lru.set(keyId, withOwnValues(versions));
  }

  /** After a commit whose outcome is unknown, forget the keys so that the next access reads the database. */
  forget(keyId: string): void {
    this.lru.delete(keyId);
  }
}

/**
 * The versions with each value in memory of its own. A small Buffer decoded from the wire or read from
 * PostgreSQL is a slice of an 8 KB slab shared with whatever else was allocated meanwhile, and it keeps
 * the whole slab alive: cached 100-byte values pinned tens of MB of slabs in the bench (and pushed a node
 * past 250 MB of RSS). A cached value therefore gets an exact-size copy, once: what the cache returns
 * already owns its memory and is stored again as it is.
 */
function withOwnValues(versions: readonly StoredVersion[]): readonly StoredVersion[] {
  if (!versions.some(borrowsMemory)) return versions;
  return versions.map((version) => (borrowsMemory(version) ? { ...version, value: ownCopy(version.value!) } : version));
}

/** Whether the version's value is a view into a larger allocation than its own bytes. */
function borrowsMemory(version: StoredVersion): boolean {
  const value = version.value;
  return value !== null && (value.byteOffset !== 0 || value.buffer.byteLength !== value.length);
}

function ownCopy(value: Buffer): Buffer {
  const copy = Buffer.allocUnsafeSlow(value.length);
  value.copy(copy);
  return copy;
}
