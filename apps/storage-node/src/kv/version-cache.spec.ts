import { localWrite, tombstone, writeAll } from '../versions/versions.fixtures';
import { MARKED, VersionCache } from './version-cache';

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
    cache.fillFromRead('ks\nabsent', [], cache.readTicket());

    expect(cache.get('ks\ndeleted')!.map((version) => version.tombstone)).toEqual(deleted.map((version) => version.tombstone));
    expect(cache.get('ks\nabsent')).toEqual([]);
  });

  it('marks a key written without caching it: no versions to read, but known not to be absent', () => {
    const cache = new VersionCache(1_048_576);
    cache.store('ks\nkey', writeAll([localWrite('old')], 'lww'));

    cache.mark('ks\nkey');

    expect(cache.get('ks\nkey')).toBeUndefined();
    expect(cache.lookup('ks\nkey')).toBe(MARKED);
    expect(cache.lookup('ks\nnever-written')).toBeUndefined();
  });

  it("lets a read fill over a mark made before the read began, never over one made during it (that read missed the mark's commit)", () => {
    const cache = new VersionCache(1_048_576);
    const older = writeAll([localWrite('older')], 'lww');
    const newer = writeAll([localWrite('newer')], 'lww');
    cache.mark('ks\nbefore');
    const ticket = cache.readTicket();
    cache.mark('ks\nduring');

    cache.fillFromRead('ks\nbefore', newer, ticket);
    cache.fillFromRead('ks\nduring', older, ticket);

    expect(cache.get('ks\nbefore')![0].value!.toString()).toBe('newer');
    expect(cache.get('ks\nduring')).toBeUndefined();
    expect(cache.lookup('ks\nduring')).toBe(MARKED);
  });

  it("never lets a read replace versions the writer stored, and the writer's store replaces a mark", () => {
    const cache = new VersionCache(1_048_576);
    cache.store('ks\nstored', writeAll([localWrite('committed')], 'lww'));
    cache.mark('ks\nmarked');

    cache.fillFromRead('ks\nstored', writeAll([localWrite('read earlier')], 'lww'), cache.readTicket());
    cache.store('ks\nmarked', writeAll([localWrite('committed over the mark')], 'lww'));

    expect(cache.get('ks\nstored')![0].value!.toString()).toBe('committed');
    expect(cache.get('ks\nmarked')![0].value!.toString()).toBe('committed over the mark');
    expect(cache.lookup('ks\nmarked')).not.toBe(MARKED);
  });
});
