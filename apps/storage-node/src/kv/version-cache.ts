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
    this.lru.set(keyId, versions);
  }

  /** The reader's path: only fills a gap, never replaces what the writer stored. */
  fillIfAbsent(keyId: string, versions: readonly StoredVersion[]): void {
    if (!this.lru.has(keyId)) this.lru.set(keyId, versions);
  }

  /** After a commit whose outcome is unknown, forget the keys so that the next access reads the database. */
  forget(keyId: string): void {
    this.lru.delete(keyId);
  }
}
