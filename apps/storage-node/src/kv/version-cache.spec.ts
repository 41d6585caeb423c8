import { localWrite, tombstone, writeAll } from '../versions/versions.fixtures';
import type { StoredVersion } from '../versions/stored-version';
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

  it('shares a running read of a key with readers who miss, until it settles', async () => {
    const cache = new VersionCache(1_048_576);
    let finish!: (versions: readonly StoredVersion[]) => void;
    const load = new Promise<readonly StoredVersion[]>((resolve) => (finish = resolve));

    cache.shareLoad('ks\nkey', load);
    expect(cache.loadInFlight('ks\nkey')).toBe(load);
    expect(cache.loadInFlight('ks\nother')).toBeUndefined();

    finish([]);
    await load;
    await Promise.resolve();
    expect(cache.loadInFlight('ks\nkey')).toBeUndefined();
  });

  it('stops sharing a read once a write of its key commits here: a reader after that write must read again', () => {
    const cache = new VersionCache(1_048_576);
    const pending = (): Promise<readonly StoredVersion[]> => new Promise(() => undefined);
    for (const key of ['stored', 'marked', 'forgotten', 'untouched']) cache.shareLoad(`ks\n${key}`, pending());

    cache.store('ks\nstored', writeAll([localWrite('new')], 'lww'));
    cache.mark('ks\nmarked');
    cache.forget('ks\nforgotten');

    expect(cache.loadInFlight('ks\nstored')).toBeUndefined();
    expect(cache.loadInFlight('ks\nmarked')).toBeUndefined();
    expect(cache.loadInFlight('ks\nforgotten')).toBeUndefined();
    expect(cache.loadInFlight('ks\nuntouched')).toBeDefined();
  });

  it('keeps sharing the newer read when an older one of the same key settles after it', async () => {
    const cache = new VersionCache(1_048_576);
    let finishOld!: (versions: readonly StoredVersion[]) => void;
    const old = new Promise<readonly StoredVersion[]>((resolve) => (finishOld = resolve));
    cache.shareLoad('ks\nkey', old);
    cache.mark('ks\nkey');
    const newer = new Promise<readonly StoredVersion[]>(() => undefined);
    cache.shareLoad('ks\nkey', newer);

    finishOld([]);
    await old;
    await Promise.resolve();

    expect(cache.loadInFlight('ks\nkey')).toBe(newer);
  });
});
