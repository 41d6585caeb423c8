import fc from 'fast-check';
import type { OutboxPosition } from '@geokv/protocol';
import { OutboxTail, type CommittedRow, type TailWait, type TailWake } from './outbox-tail';

/** Outbox rows of one commit, each key's written time its number (so the oldest pending is easy to tell). */
function rows(...keys: string[]): CommittedRow[] {
  return keys.map((key) => ({
    keyspace: 'ks',
    key,
    version: {
      dot: { actor: 'us-east/node-1', counter: 1 },
      context: {},
      hlc: { wallMs: Number(key.slice(1)), logical: 0 },
      originRegion: 'us-east',
      tombstone: false,
      value: Buffer.from(key),
      contentType: 'application/octet-stream',
      expiresAtMs: null,
    },
  }));
}

/** The keys of a page served from memory, or what was answered instead. */
const keysOf = (page: ReturnType<OutboxTail['after']>): string[] | 'tail' | null =>
  page === null || page === 'tail' ? page : page.versions.map((version) => version.key);

const at = (id: number): OutboxPosition => ({ txid: String(1000 + id), id: String(id) });

describe('OutboxTail', () => {
  it('hands the next commit to every reader waiting at the tail, in wire form built once', async () => {
    const tail = new OutboxTail(true);
    tail.committed(rows('k1'), at(1));
    expect(tail.after(at(1), 100)).toBe('tail');
    const waits = [tail.wait(10_000, at(1), 100), tail.wait(10_000, at(1), 100)];
    tail.committed(rows('k2', 'k3'), at(3));
    const [first, second] = await Promise.all(waits.map((wait) => wait.woken));
    expect(first).toEqual({
      kind: 'page',
      versions: [expect.objectContaining({ key: 'k2', value: Buffer.from('k2'), hlcWallMs: 2 }), expect.objectContaining({ key: 'k3' })],
      next: at(3),
      pending: { backlog: 2, oldestPendingAtMs: 2 },
    });
    if (first.kind !== 'page' || second.kind !== 'page') throw new Error('both waiters should have been handed the page');
    expect(second.versions[0]).toBe(first.versions[0]);
    expect(tail.after(at(3), 100)).toBe('tail');
  });

  it('serves a reader behind the tail the commits since its position, whole ones up to its limit, counting all that follows', () => {
    const tail = new OutboxTail(true);
    tail.committed(rows('k1'), at(1));
    tail.committed(rows('k2', 'k3'), at(3));
    tail.committed(rows('k4', 'k5'), at(5));
    tail.committed(rows('k6'), at(6));
    expect(keysOf(tail.after(at(1), 100))).toEqual(['k2', 'k3', 'k4', 'k5', 'k6']);
    const limited = tail.after(at(1), 3);
    expect(limited).toEqual({ versions: [expect.objectContaining({ key: 'k2' }), expect.objectContaining({ key: 'k3' })], next: at(3), pending: { backlog: 5, oldestPendingAtMs: 2 } });
    // A commit alone larger than the limit is read from the shard.
    expect(tail.after(at(1), 1)).toBeNull();
    // A position between a commit's rows, or one it never wrote, is not one it can place.
    expect(tail.after(at(2), 100)).toBeNull();
    expect(tail.after(at(0), 100)).toBeNull();
    expect(tail.after(undefined, 100)).toBeNull();
  });

  it("knows nothing before its first commit, nor what came before that commit: those are read from the shard", async () => {
    const tail = new OutboxTail(true);
    expect(tail.after(at(0), 100)).toBeNull();
    const first = tail.wait(10_000, at(0), 100);
    tail.committed(rows('k1'), at(1));
    await expect(first.woken).resolves.toEqual({ kind: 'read' });
    expect(tail.after(at(0), 100)).toBeNull();
  });

  it('tells a waiter to read a commit with more rows than it asked for, or one after a position it cannot place', async () => {
    const tail = new OutboxTail(true);
    tail.committed(rows('k1'), at(1));
    const small = tail.wait(10_000, at(1), 2);
    const lost = tail.wait(10_000, at(0), 100);
    tail.committed(rows('k2', 'k3', 'k4'), at(4));
    await expect(small.woken).resolves.toEqual({ kind: 'read' });
    await expect(lost.woken).resolves.toEqual({ kind: 'read' });
  });

  it('forgets every commit after one of unknown outcome, and keeps the ones after the next from there', async () => {
    const tail = new OutboxTail(true);
    tail.committed(rows('k1'), at(1));
    tail.committed(rows('k2'), at(2));
    const waiting = tail.wait(10_000, at(2), 100);
    tail.lost();
    await expect(waiting.woken).resolves.toEqual({ kind: 'read' });
    expect(tail.after(at(1), 100)).toBeNull();
    expect(tail.after(at(2), 100)).toBeNull();

    // The next commit may follow rows this process cannot place: a reader still at the old tail reads.
    const stale = tail.wait(10_000, at(2), 100);
    tail.committed(rows('k5'), at(5));
    await expect(stale.woken).resolves.toEqual({ kind: 'read' });
    // A reader that has read up to it is served what follows from memory again.
    tail.committed(rows('k6'), at(6));
    expect(keysOf(tail.after(at(5), 100))).toEqual(['k6']);
  });

  it('keeps a bounded number of rows, and still serves a reader at the end of the newest commit it dropped', () => {
    const tail = new OutboxTail(true);
    for (let id = 1; id <= 3_000; id += 1) tail.committed(rows(`k${id}`), at(id));
    expect(tail.after(at(1), 10_000)).toBeNull();
    const page = tail.after(at(3_000 - 1_024), 10_000);
    expect(keysOf(page)).toHaveLength(1_024);
    expect(tail.after(at(3_000 - 1_025), 10_000)).toBeNull();
  });

  it('keeps no commits while no one reads, and still knows its tail for a reader that comes back', () => {
    jest.useFakeTimers();
    try {
      const tail = new OutboxTail(true);
      jest.advanceTimersByTime(6_000);
      tail.committed(rows('k1'), at(1));
      tail.committed(rows('k2'), at(2));
      expect(tail.after(at(1), 100)).toBeNull();
      expect(tail.after(at(2), 100)).toBe('tail');
      // That read counts: the next commits are kept, after the one it knows the end of.
      tail.committed(rows('k3'), at(3));
      tail.committed(rows('k4'), at(4));
      expect(keysOf(tail.after(at(2), 100))).toEqual(['k3', 'k4']);
      jest.advanceTimersByTime(6_000);
      tail.committed(rows('k5'), at(5));
      expect(tail.after(at(4), 100)).toBeNull();
      expect(tail.after(at(5), 100)).toBe('tail');
    } finally {
      jest.useRealTimers();
    }
  });

  it('never serves rows when batches may commit out of order', async () => {
    const tail = new OutboxTail(false);
    tail.committed(rows('k1'), at(1));
    expect(tail.after(at(1), 100)).toBeNull();
    const waiting = tail.wait(10_000, at(1), 100);
    tail.committed(rows('k2'), at(2));
    await expect(waiting.woken).resolves.toEqual({ kind: 'read' });
    expect(tail.after(at(1), 100)).toBeNull();
  });

  it('ends a wait with nothing committed as quiet, and a cancelled wait never settles', async () => {
    const tail = new OutboxTail(true);
    await expect(tail.wait(10, undefined, 100).woken).resolves.toEqual({ kind: 'quiet' });
    const cancelled = tail.wait(10_000, undefined, 100);
    cancelled.cancel();
    const settled = jest.fn();
    void cancelled.woken.then(settled);
    tail.committed(rows('k1'), at(1));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(settled).not.toHaveBeenCalled();
  });

  /**
   * The model: one writer commits in order (some commits fail with their outcome unknown, having written or
   * not), committed rows become readable some time later (PostgreSQL shows them only once every older
   * transaction has ended), and readers follow the node's protocol: served from memory when it can place
   * their position, waiting at the tail, otherwise starting to wait, reading, and waiting on only if the
   * read found nothing. Whatever the interleaving, each reader sees every row of the log once, in order.
   */
  it('lets no reader skip or repeat a row, whatever the interleaving of commits, lost commits and reads', async () => {
    type Step =
      | { kind: 'commit'; rows: number }
      | { kind: 'lost'; wrote: boolean; rows: number }
      | { kind: 'visible' }
      | { kind: 'read'; reader: number; limit: number };
    const step = fc.oneof(
      fc.record({ kind: fc.constant('commit' as const), rows: fc.integer({ min: 1, max: 4 }) }),
      fc.record({ kind: fc.constant('lost' as const), wrote: fc.boolean(), rows: fc.integer({ min: 1, max: 4 }) }),
      fc.record({ kind: fc.constant('visible' as const) }),
      fc.record({ kind: fc.constant('read' as const), reader: fc.integer({ min: 0, max: 2 }), limit: fc.integer({ min: 1, max: 6 }) }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 40 }), async (steps: Step[]) => {
        const tail = new OutboxTail(true);
        const log: { id: number; key: string }[] = [];
        let nextId = 1;
        let visibleUpTo = 0;
        const append = (count: number): { last: OutboxPosition; keys: string[] } => {
          const keys: string[] = [];
          for (let i = 0; i < count; i += 1) {
            log.push({ id: nextId, key: `k${nextId}` });
            keys.push(`k${nextId}`);
            nextId += 1;
          }
          return { last: at(nextId - 1), keys };
        };
        type Reader = { after: OutboxPosition | undefined; seen: string[]; waiting: TailWait | null; woken: TailWake | null };
        const readers: Reader[] = [0, 1, 2].map(() => ({ after: undefined, seen: [], waiting: null, woken: null }));
        const take = (reader: Reader, page: { versions: readonly { key: string }[]; next: OutboxPosition }): void => {
          reader.seen.push(...page.versions.map((row) => row.key));
          reader.after = page.next;
        };
        const readLog = (reader: Reader, limit: number): boolean => {
          const afterId = reader.after === undefined ? 0 : Number(reader.after.id);
          const page = log.filter((row) => row.id > afterId && row.id <= visibleUpTo).slice(0, limit);
          if (page.length === 0) return false;
          take(reader, { versions: page, next: at(page.at(-1)!.id) });
          return true;
        };
        const startWaiting = (reader: Reader, limit: number): TailWait => {
          const wait = tail.wait(60_000, reader.after, limit);
          reader.waiting = wait;
          void wait.woken.then((wake) => (reader.woken = wake));
          return wait;
        };
        /** Takes a wake that has come, as the node would answer the read. */
        const takeWake = (reader: Reader, limit: number): void => {
          const wake = reader.woken;
          if (wake === null) return;
          reader.waiting = null;
          reader.woken = null;
          if (wake.kind === 'page') take(reader, wake);
          else if (wake.kind === 'read' && !readLog(reader, limit)) startWaiting(reader, limit);
        };
        for (const s of steps) {
          if (s.kind === 'commit') {
            const { last, keys } = append(s.rows);
            tail.committed(rows(...keys), last);
          } else if (s.kind === 'lost') {
            if (s.wrote) append(s.rows);
            tail.lost();
          } else if (s.kind === 'visible') {
            visibleUpTo = nextId - 1;
          } else {
            const reader = readers[s.reader];
            takeWake(reader, s.limit);
            if (reader.waiting !== null) continue;
            const kept = tail.after(reader.after, s.limit);
            if (kept === 'tail') {
              startWaiting(reader, s.limit);
            } else if (kept !== null) {
              take(reader, kept);
            } else {
              const wait = startWaiting(reader, s.limit);
              if (readLog(reader, s.limit)) {
                wait.cancel();
                reader.waiting = null;
              }
            }
          }
          await new Promise(setImmediate);
        }
        visibleUpTo = nextId - 1;
        tail.lost();
        await new Promise(setImmediate);
        for (const reader of readers) {
          if (reader.woken !== null) takeWake(reader, Number.MAX_SAFE_INTEGER);
          reader.waiting?.cancel();
          readLog(reader, Number.MAX_SAFE_INTEGER);
          expect(reader.seen).toEqual(log.map((row) => row.key));
        }
      }),
      { numRuns: 300 },
    );
  });
});
