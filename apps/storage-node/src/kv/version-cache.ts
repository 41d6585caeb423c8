import { LRUCache } from 'lru-cache';
import type { StoredVersion } from '../versions/stored-version';

// Memory beyond the value bytes, measured on Node 20 (heap plus Buffer bookkeeping, 100-byte values):
// about 600 bytes per version object and 200 per cache entry, plus the key string.
const VERSION_OVERHEAD_BYTES = 600;
const ENTRY_OVERHEAD_BYTES = 200;

/**
 * A key this node wrote without caching what it wrote: the shard holds rows for it, so a write must read
 * them rather than guess the key absent. The number orders the mark against reads (see `fillFromRead`).
 */
type WrittenMark = number;

/** What `VersionCache.lookup` answers for a marked key. */
export const MARKED: unique symbol = Symbol('marked');

/**
 * L1: the latest committed versions of recently used keys, an empty list included (a known-absent key),
 * and marks for keys written here whose versions it does not hold.
 *
 * It is coherent without invalidation messages because this process is the shard's only writer: the write
 * batcher stores every key's new state, or a mark, right after its commit. A reader that filled the cache
 * from the database could race that commit, so readers only fill a key that is absent from the cache (or
 * marked before their read began) and not in the batch being committed (`fillFromRead`). Do not let
 * readers overwrite versions: the writer's copy is always at least as new.
 */
export class VersionCache {
  private readonly lru: LRUCache<string, readonly StoredVersion[] | WrittenMark>;
  /** Marks made so far: a mark's number, and a read's ticket. */
  private marks = 0;
  /**
   * Reads of the shard running now for keys the cache could not answer, each begun since the key's last
   * write here. Readers that miss while one runs share it instead of each reading the same rows: many
   * clients reading a cold key at once (a hot key evicted, a node restarted) otherwise sent one statement
   * each, and the bench's GET phases, whose connections walk the same key list in step, read every key
   * about fifty times over.
   */
  private readonly loads = new Map<string, Promise<readonly StoredVersion[]>>();

  constructor(maxBytes: number) {
    this.lru = new LRUCache({
      maxSize: maxBytes,
      sizeCalculation: (entry, keyId) =>
        typeof entry === 'number'
          ? ENTRY_OVERHEAD_BYTES + keyId.length * 2
          : entry.reduce((bytes, version) => bytes + VERSION_OVERHEAD_BYTES + (version.value?.length ?? 0), ENTRY_OVERHEAD_BYTES + keyId.length * 2),
    });
  }

  /** The key's cached versions; undefined when they are not cached (absent, or only marked). */
  get(keyId: string): readonly StoredVersion[] | undefined {
    const entry = this.lru.get(keyId);
    return typeof entry === 'number' ? undefined : entry;
  }

  /**
   * The key's cached versions, MARKED when a write here left rows for it that the cache does not hold (it is
   * certainly not absent), or undefined when the cache knows nothing of it: one lookup for the writer, which
   * needs to tell all three apart.
   */
  lookup(keyId: string): readonly StoredVersion[] | typeof MARKED | undefined {
    const entry = this.lru.get(keyId);
    return typeof entry === 'number' ? MARKED : entry;
  }

  /** The writer's path: the committed state, always stored. */
  store(keyId: string, versions: readonly StoredVersion[]): void {
    this.loads.delete(keyId);
    this.lru.set(keyId, withOwnValues(versions));
  }

  /**
   * The writer's path for a key whose new state is not worth caching yet (the cache held no versions of it):
   * a mark, a few bytes that the collector need not trace.
   */
  mark(keyId: string): void {
    this.loads.delete(keyId);
    this.marks += 1;
    this.lru.set(keyId, this.marks);
  }

  /** A read of the key's rows that a reader who missed may share: begun since the key's last write here. */
  loadInFlight(keyId: string): Promise<readonly StoredVersion[]> | undefined {
    return this.loads.get(keyId);
  }

  /**
   * A reader's read of the key's rows, for later readers to share until it settles. A write here ends the
   * sharing at its commit, before it is acknowledged: a reader who comes after the acknowledgement must not
   * be handed rows read before the commit.
   */
  shareLoad(keyId: string, load: Promise<readonly StoredVersion[]>): void {
    this.loads.set(keyId, load);
    const done = (): void => {
      if (this.loads.get(keyId) === load) this.loads.delete(keyId);
    };
    load.then(done, done);
  }

  /** Taken by a reader before it reads the database, and handed to `fillFromRead` with what it read. */
  readTicket(): number {
    return this.marks;
  }

  /**
   * The reader's path: fills a gap, or replaces a mark made before the read began (the read then saw that
   * commit); never replaces versions the writer stored, nor a mark made since.
   */
  fillFromRead(keyId: string, versions: readonly StoredVersion[], ticket: number): void {
    const entry = this.lru.get(keyId);
    if (entry === undefined || (typeof entry === 'number' && entry <= ticket)) this.lru.set(keyId, withOwnValues(versions));
  }

  /** After a commit whose outcome is unknown, forget the keys so that the next access reads the database. */
  forget(keyId: string): void {
    this.loads.delete(keyId);
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
