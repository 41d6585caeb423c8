import fc from 'fast-check';
import type { OutboxPosition, ReplicatedVersion } from '@geokv/protocol';
import { OutboxTail, type TailWait, type TailWake } from './outbox-tail';

function rows(...keys: string[]): ReplicatedVersion[] {
  return keys.map((key) => ({
    keyspace: 'ks',
    key,
    dotActor: 'us-east/node-1',
    dotCounter: 1,
    context: {},
    hlcWallMs: 1,
    hlcLogical: 0,
    originRegion: 'us-east',
    tombstone: false,
    value: null,
    contentType: 'application/octet-stream',
    expiresAtMs: null,
  }));
}

const at = (id: number): OutboxPosition => ({ txid: String(1000 + id), id: String(id) });

describe('OutboxTail', () => {
  it('hands the next commit to every reader waiting at the tail, building its rows once', async () => {
    const tail = new OutboxTail(true);
    tail.committed(1, at(1), () => rows('a'));
    expect(tail.isAt(at(1))).toBe(true);
    const waits = [tail.wait(10_000, at(1), 100), tail.wait(10_000, at(1), 100)];
    const build = jest.fn(() => rows('b', 'c'));
    tail.committed(2, at(3), build);
    const woken = await Promise.all(waits.map((wait) => wait.woken));
    expect(woken).toEqual([
      { kind: 'page', versions: rows('b', 'c'), next: at(3) },
      { kind: 'page', versions: rows('b', 'c'), next: at(3) },
    ]);
    expect(build).toHaveBeenCalledTimes(1);
    expect(tail.isAt(at(3))).toBe(true);
    expect(tail.isAt(at(1))).toBe(false);
  });

  it('tells a reader behind the tail to read what was committed: rows it has not seen lie before the commit', async () => {
    const tail = new OutboxTail(true);
    tail.committed(1, at(1), () => rows('a'));
    tail.committed(1, at(2), () => rows('b'));
    const behind = tail.wait(10_000, at(1), 100);
    const build = jest.fn(() => rows('c'));
    tail.committed(1, at(3), build);
    await expect(behind.woken).resolves.toEqual({ kind: 'read' });
    expect(build).not.toHaveBeenCalled();
  });

  it('knows no tail before its first commit, so the first commit is read from the shard', async () => {
    const tail = new OutboxTail(true);
    expect(tail.isAt(at(0))).toBe(false);
    expect(tail.isAt(undefined)).toBe(false);
    const first = tail.wait(10_000, at(0), 100);
    tail.committed(1, at(1), () => rows('a'));
    await expect(first.woken).resolves.toEqual({ kind: 'read' });
  });

  it('tells a reader to read a commit with more rows than it asked for', async () => {
    const tail = new OutboxTail(true);
    tail.committed(1, at(1), () => rows('a'));
    const small = tail.wait(10_000, at(1), 2);
    tail.committed(3, at(4), () => rows('b', 'c', 'd'));
    await expect(small.woken).resolves.toEqual({ kind: 'read' });
  });

  it('forgets the tail after a commit of unknown outcome, until a read has placed what it may have written', async () => {
    const tail = new OutboxTail(true);
    tail.committed(1, at(1), () => rows('a'));
    const waiting = tail.wait(10_000, at(1), 100);
    tail.lost();
    await expect(waiting.woken).resolves.toEqual({ kind: 'read' });
    expect(tail.isAt(at(1))).toBe(false);

    // The next commit follows rows this process cannot place: a reader still at the old tail reads.
    const stale = tail.wait(10_000, at(1), 100);
    tail.committed(1, at(5), () => rows('e'));
    await expect(stale.woken).resolves.toEqual({ kind: 'read' });
    // A reader that has read up to the new tail is handed the commit after it.
    expect(tail.isAt(at(5))).toBe(true);
    const caughtUp = tail.wait(10_000, at(5), 100);
    tail.committed(1, at(6), () => rows('f'));
    await expect(caughtUp.woken).resolves.toEqual({ kind: 'page', versions: rows('f'), next: at(6) });
  });

  it('never hands rows over when batches may commit out of order', async () => {
    const tail = new OutboxTail(false);
    tail.committed(1, at(1), () => rows('a'));
    expect(tail.isAt(at(1))).toBe(false);
    const waiting = tail.wait(10_000, at(1), 100);
    tail.committed(1, at(2), () => rows('b'));
    await expect(waiting.woken).resolves.toEqual({ kind: 'read' });
  });

  it('ends a wait with nothing committed as quiet, and a cancelled wait never settles', async () => {
    const tail = new OutboxTail(true);
    await expect(tail.wait(10, undefined, 100).woken).resolves.toEqual({ kind: 'quiet' });
    const cancelled = tail.wait(10_000, undefined, 100);
    cancelled.cancel();
    const settled = jest.fn();
    void cancelled.woken.then(settled);
    tail.committed(1, at(1), () => rows('a'));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(settled).not.toHaveBeenCalled();
  });

  /**
   * The model: one writer commits in order (some commits fail with their outcome unknown, having written or
   * not), committed rows become readable some time later (PostgreSQL shows them only once every older
   * transaction has ended), and readers follow the node's protocol: at the tail, wait for the next commit;
   * otherwise start waiting, read, and keep waiting only if the read found nothing. Whatever the
   * interleaving, each reader sees every row of the log once, in order.
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
      fc.record({ kind: fc.constant('read' as const), reader: fc.integer({ min: 0, max: 2 }), limit: fc.integer({ min: 1, max: 5 }) }),
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
        const readLog = (reader: Reader, limit: number): boolean => {
          const afterId = reader.after === undefined ? 0 : Number(reader.after.id);
          const page = log.filter((row) => row.id > afterId && row.id <= visibleUpTo).slice(0, limit);
          if (page.length === 0) return false;
          reader.seen.push(...page.map((row) => row.key));
          reader.after = at(page.at(-1)!.id);
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
          if (wake.kind === 'page') {
            reader.seen.push(...wake.versions.map((row) => row.key));
            reader.after = wake.next;
          } else if (wake.kind === 'read' && !readLog(reader, limit)) {
            startWaiting(reader, limit);
          }
        };
        for (const s of steps) {
          if (s.kind === 'commit') {
            const { last, keys } = append(s.rows);
            tail.committed(keys.length, last, () => rows(...keys));
          } else if (s.kind === 'lost') {
            if (s.wrote) append(s.rows);
            tail.lost();
          } else if (s.kind === 'visible') {
            visibleUpTo = nextId - 1;
          } else {
            const reader = readers[s.reader];
            takeWake(reader, s.limit);
            if (reader.waiting !== null) continue;
            if (tail.isAt(reader.after)) {
              startWaiting(reader, s.limit);
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
