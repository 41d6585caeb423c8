import fc from 'fast-check';
import { absentState, accept, collectRow, prepare, type AcceptorState, type Ballot } from '@geokv/caspaxos';
import type { StrongValue } from '@geokv/protocol';
import { Teardown } from '@geokv/test-support';
import type { AcceptorStore } from '../../apps/storage-node/src/acceptor/acceptor-store';
import { acceptorStoreOnNewShard, strongValueOf } from '../support/acceptor-store';

const b = (counter: number, proposer = 'us-east.a'): Ballot => ({ counter, proposer });
const v = strongValueOf;
const tombstone = v('', { tombstone: true, contentType: '', etag: 'etag-deleted' });

/**
 * Garbage collection's side of the acceptor in PostgreSQL: drops, the floor they leave, and the scan that
 * finds what to collect. Its own database, since the floor is the whole node's.
 */
describe('acceptor garbage collection in PostgreSQL', () => {
  const teardown = new Teardown();
  let store: AcceptorStore;
  const request = (key: string) => ({ requestId: 'test', keyspace: 'ledger', key });

  beforeAll(async () => {
    store = await acceptorStoreOnNewShard('acceptor_gc', teardown);
  }, 60_000);

  afterAll(() => teardown.run());

  it('follows the pure acceptor with drops and a floor, for any sequence of messages', async () => {
    type Message = { kind: 'prepare' | 'collect'; ballot: number } | { kind: 'accept'; ballot: number; empties: boolean };
    const ballot = fc.integer({ min: 0, max: 8 });
    const message: fc.Arbitrary<Message> = fc.oneof(
      fc.record({ kind: fc.constantFrom('prepare' as const, 'collect' as const), ballot }),
      fc.record({ kind: fc.constant('accept' as const), ballot, empties: fc.boolean() }),
    );
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(message, { minLength: 1, maxLength: 14 }), async (messages) => {
        // Each run's ballots start above the last run's: the floor an earlier run raised refuses none of them, this run's own drops do.
        const base = 10 * ++run;
        const key = `model-${run}`;
        const at = (offset: number): Ballot => b(base + offset, offset % 2 === 0 ? 'eu-west.x' : 'us-east.y');
        let row: AcceptorState<StrongValue> | null = null;
        let floor = await store.floor();
        const state = (): AcceptorState<StrongValue> => row ?? absentState(floor);
        for (const m of messages) {
          const ballotOf = at(m.ballot);
          if (m.kind === 'prepare') {
            const expected = prepare(state(), ballotOf);
            expect(await store.prepare([{ ...request(key), ballot: ballotOf }])).toEqual([expected.reply]);
            if (expected.reply.promised) row = expected.state;
          } else if (m.kind === 'accept') {
            const value = m.empties ? null : v(`${base + m.ballot}`);
            const expected = accept(state(), ballotOf, value);
            expect(await store.accept([{ ...request(key), ballot: ballotOf, value }])).toEqual([expected.reply]);
            if (expected.reply.accepted) row = expected.state;
          } else {
            const expected: { row: AcceptorState<StrongValue> | null; floor: Ballot | null } = collectRow(row, floor, ballotOf);
            expect(await store.collect([{ ...request(key), ballot: ballotOf }])).toEqual([{ dropped: row !== null && expected.row === null }]);
            ({ row, floor } = expected);
          }
          expect(await store.floor()).toEqual(floor);
          const [held] = await store.load([{ keyspace: 'ledger', key }]);
          expect(held?.state ?? null).toEqual(row);
        }
      }),
      { numRuns: 60 },
    );
  }, 120_000);

  it('refuses, on a dropped row, every message up to the floor, naming the floor', async () => {
    const key = 'dropped';
    const round = b(5_000_000, 'us-east.gc');
    await store.prepare([{ ...request(key), ballot: round }]);
    await store.accept([{ ...request(key), ballot: round, value: null }]);
    expect(await store.collect([{ ...request(key), ballot: round }])).toEqual([{ dropped: true }]);
    expect(await store.load([{ keyspace: 'ledger', key }])).toEqual([]);

    expect(await store.accept([{ ...request(key), ballot: b(4_999_999), value: v('late') }])).toEqual([{ accepted: false, conflict: round }]);
    expect(await store.prepare([{ ...request(key), ballot: round }])).toEqual([{ promised: false, conflict: round }]);
    // Any key without a row, since the floor is the node's.
    expect(await store.prepare([{ ...request('never-seen'), ballot: b(4_000_000) }])).toEqual([{ promised: false, conflict: round }]);
    expect(await store.load([{ keyspace: 'ledger', key }, { keyspace: 'ledger', key: 'never-seen' }])).toEqual([]);
    // At it, only the round's own accept can come (ballots are unique): it makes the same empty row again.
    expect(await store.accept([{ ...request(key), ballot: round, value: null }])).toEqual([{ accepted: true }]);
    expect(await store.collect([{ ...request(key), ballot: round }])).toEqual([{ dropped: true }]);
    // Above it, a key without a row is a key never written.
    expect(await store.prepare([{ ...request(key), ballot: b(5_000_001) }])).toEqual([{ promised: true, accepted: null }]);
  });

  it('raises its floor to a handover’s, never lowers it, and merges the records as before', async () => {
    const before = await store.floor();
    const higher = b(9_000_000, 'eu-west.gc');
    await store.merge([], higher);
    expect(await store.floor()).toEqual(higher);
    await store.merge([{ keyspace: 'ledger', key: 'handed', state: { promised: b(10), accepted: { ballot: b(10), value: v('kept') } } }], before);
    expect(await store.floor()).toEqual(higher);
    // A handed-over row is taken whatever the floor: it is that key's state, not a message.
    const [handed] = await store.load([{ keyspace: 'ledger', key: 'handed' }]);
    expect(handed.state).toEqual({ promised: b(10), accepted: { ballot: b(10), value: v('kept') } });
    expect(await store.prepare([{ ...request('handed'), ballot: b(11) }])).toEqual([{ promised: true, accepted: { ballot: b(10), value: v('kept') } }]);
  });

  it('finds the rows worth collecting: no live value, and nothing promised since the cut-off', async () => {
    const nowMs = 1_800_000_000_000;
    const old = (offset: number): Ballot => b(nowMs - 3_600_000 + offset, 'us-east.p');
    const recent = b(nowMs - 1_000, 'us-east.p');
    const scanRequest = (after: { keyspace: string; key: string } | null, limit: number) => ({
      requestId: 'test',
      after,
      limit,
      untouchedSinceCounter: nowMs - 60_000,
      expiredBeforeMs: nowMs - 60_000,
    });
    const keyspace = 'scan';
    const put = async (key: string, ballot: Ballot, value: StrongValue | null | 'promise only'): Promise<void> => {
      await store.merge([{ keyspace, key, state: { promised: ballot, accepted: value === 'promise only' ? null : { ballot, value } } }], null);
    };
    await put('a-deleted', old(1), tombstone);
    await put('b-live', old(2), v('live'));
    await put('c-read-of-nothing', old(3), 'promise only');
    await put('d-emptied', old(4), null);
    await put('e-deleted-lately', recent, tombstone);
    await put('f-expired', old(5), v('expired', { expiresAtMs: nowMs - 120_000 }));
    await put('g-expires-later', old(6), v('soon', { expiresAtMs: nowMs - 1_000 }));

    const found: string[] = [];
    let after: { keyspace: string; key: string } | null = { keyspace, key: '' };
    let pages = 0;
    while (after !== null && after.keyspace === keyspace) {
      const page = await store.collectionScan(scanRequest(after, 2));
      found.push(...page.keys.filter((ref) => ref.keyspace === keyspace).map((ref) => ref.key));
      after = page.scannedThrough;
      pages += 1;
    }
    expect(found).toEqual(['a-deleted', 'c-read-of-nothing', 'd-emptied', 'f-expired']);
    expect(pages).toBeGreaterThanOrEqual(4);
    const whole = await store.collectionScan(scanRequest({ keyspace, key: '' }, 100));
    expect(whole.scannedThrough).toBeNull();
  });
});
