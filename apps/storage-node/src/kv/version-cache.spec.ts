import { localWrite, tombstone, writeAll } from '../versions/versions.fixtures';
import { VersionCache } from './version-cache';

describe('VersionCache', () => {
  it('keeps each cached value in memory of its own, not a slice of a shared slab, with the same bytes', () => {
    const cache = new VersionCache(1_048_576);
    const versions = writeAll([localWrite('a value of a few bytes')], 'lww');
    // Small buffers from Buffer.from come out of Node's shared pool.
    expect(versions[0].value!.buffer.byteLength).toBeGreaterThan(versions[0].value!.length);

    cache.store('ks\nkey', versions);
    const cached = cache.get('ks\nkey')!;

    expect(cached[0].value!.toString()).toBe('a value of a few bytes');
    expect(cached[0].value!.buffer.byteLength).toBe(cached[0].value!.length);
    expect({ ...cached[0], value: null }).toEqual({ ...versions[0], value: null });
  });

  it('stores again, as they are, the versions it returned (the write batcher compares versions by identity)', () => {
    const cache = new VersionCache(1_048_576);
    cache.store('ks\nkey', writeAll([localWrite('one')], 'siblings'));
    const first = cache.get('ks\nkey')!;

    cache.store('ks\nkey', first);

    expect(cache.get('ks\nkey')).toBe(first);
  });

  it('caches tombstones and known-absent keys unchanged', () => {
    const cache = new VersionCache(1_048_576);
    const deleted = writeAll([localWrite('gone'), tombstone()], 'lww');

    cache.store('ks\ndeleted', deleted);
    cache.fillIfAbsent('ks\nabsent', []);

    expect(cache.get('ks\ndeleted')!.map((version) => version.tombstone)).toEqual(deleted.map((version) => version.tombstone));
    expect(cache.get('ks\nabsent')).toEqual([]);
  });
});
