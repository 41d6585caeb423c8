import type { StoredVersion } from '../versions/stored-version';
import { CoalescedReads } from './coalesced-reads';
import { keyIdOf, type KeyRef } from './key-id';

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** A loader that records its statements: each stored key holds one version whose counter is the number of statements so far. */
function recordingLoader(stored: readonly string[]) {
  const statements: string[][] = [];
  const loadMany = (refs: readonly KeyRef[]): Promise<Map<string, StoredVersion[]>> => {
    statements.push(refs.map((ref) => ref.key));
    const byKey = new Map<string, StoredVersion[]>();
    for (const ref of refs) {
      byKey.set(keyIdOf(ref), stored.includes(ref.key) ? [{ dot: { actor: 'n1', counter: statements.length } } as StoredVersion] : []);
    }
    return Promise.resolve(byKey);
  };
  return { statements, loadMany };
}

const ref = (key: string): KeyRef => ({ keyspace: 'ks', key });
const read = (reads: CoalescedReads, key: string): Promise<StoredVersion[]> => reads.read(ref(key), keyIdOf(ref(key)));

describe('CoalescedReads', () => {
  it('reads the keys asked for in one turn with one statement, each answered with its own rows', async () => {
    const shard = recordingLoader(['a', 'c']);
    const reads = new CoalescedReads(shard.loadMany);

    const [a, b, c] = await Promise.all([read(reads, 'a'), read(reads, 'b'), read(reads, 'c')]);

    expect(shard.statements).toEqual([['a', 'b', 'c']]);
    expect(a.map((version) => version.dot.counter)).toEqual([1]);
    expect(b).toEqual([]);
    expect(c).toHaveLength(1);
  });

  it('reads a key asked for twice in one turn once, and answers both', async () => {
    const shard = recordingLoader(['a']);
    const reads = new CoalescedReads(shard.loadMany);

    const [first, second] = await Promise.all([read(reads, 'a'), read(reads, 'a')]);

    expect(shard.statements).toEqual([['a']]);
    expect(second).toBe(first);
  });

  it('sends a new statement for reads asked in a later turn, never joining one already sent', async () => {
    const shard = recordingLoader(['a']);
    const reads = new CoalescedReads(shard.loadMany);

    const first = read(reads, 'a');
    await nextTurn();
    const second = read(reads, 'a');

    expect((await first)[0].dot.counter).toBe(1);
    expect((await second)[0].dot.counter).toBe(2);
    expect(shard.statements).toEqual([['a'], ['a']]);
  });

  it('sends a statement as soon as it holds its most keys', async () => {
    const shard = recordingLoader([]);
    const reads = new CoalescedReads(shard.loadMany, 2);

    const pending = ['a', 'b', 'c', 'd', 'e'].map((key) => read(reads, key));
    expect(shard.statements).toEqual([['a', 'b'], ['c', 'd']]);
    await Promise.all(pending);

    expect(shard.statements).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
  });

  it('fails every read of a failed statement, and reads again in the next turn', async () => {
    let fail = true;
    const shard = recordingLoader(['a']);
    const reads = new CoalescedReads((refs) => (fail ? Promise.reject(new Error('connection lost')) : shard.loadMany(refs)));

    const failed = await Promise.allSettled([read(reads, 'a'), read(reads, 'b')]);
    fail = false;
    const after = await read(reads, 'a');

    expect(failed.map((outcome) => outcome.status)).toEqual(['rejected', 'rejected']);
    expect(failed.map((outcome) => (outcome as PromiseRejectedResult).reason.message)).toEqual(['connection lost', 'connection lost']);
    expect(after).toHaveLength(1);
  });
});
