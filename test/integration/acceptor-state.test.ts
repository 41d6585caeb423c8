import fc from 'fast-check';
import { accept, EMPTY_ACCEPTOR, mergeAcceptorStates, prepare, type AcceptorState, type Ballot } from '@geokv/caspaxos';
import type { StrongValue } from '@geokv/protocol';
import { Teardown } from '@geokv/test-support';
import type { AcceptorStore } from '../../apps/storage-node/src/acceptor/acceptor-store';
import { acceptorStoreOnNewShard, strongValueOf } from '../support/acceptor-store';

const b = (counter: number, proposer = 'us-east.a'): Ballot => ({ counter, proposer });
/** Recent operation ids with quotes, a comma and braces: they travel to PostgreSQL as a JSON array. */
const v = (text: string): StrongValue => strongValueOf(text, { version: 2, recentOps: ['earlier "op", with {braces}', `etag-${text}`] });

/**
 * The acceptor's SQL (guarded upserts) against a real, migrated shard: it must follow the pure acceptor
 * rules of libs/caspaxos exactly, whatever order or how often messages arrive.
 */
describe('acceptor state in PostgreSQL', () => {
  const teardown = new Teardown();
  let store: AcceptorStore;
  const request = (key: string) => ({ requestId: 'test', keyspace: 'ledger', key });

  beforeAll(async () => {
    store = await acceptorStoreOnNewShard('acceptor', teardown);
  }, 60_000);

  afterAll(() => teardown.run());

  it('promises a new ballot once, and refuses a replay or a lower one with the ballot that beat it', async () => {
    expect(await store.prepare([{ ...request('p'), ballot: b(5) }])).toEqual([{ promised: true, accepted: null }]);
    expect(await store.prepare([{ ...request('p'), ballot: b(5) }])).toEqual([{ promised: false, conflict: b(5) }]);
    expect(await store.prepare([{ ...request('p'), ballot: b(4, 'zz') }])).toEqual([{ promised: false, conflict: b(5) }]);
  });

  it('accepts at the promise, and a replayed or older accept can never roll the value back', async () => {
    await store.prepare([{ ...request('a'), ballot: b(7) }]);
    expect(await store.accept([{ ...request('a'), ballot: b(7), value: v('seven') }])).toEqual([{ accepted: true }]);
    expect(await store.accept([{ ...request('a'), ballot: b(7), value: v('replayed') }])).toEqual([{ accepted: false, conflict: b(7) }]);
    expect(await store.accept([{ ...request('a'), ballot: b(6), value: v('older') }])).toEqual([{ accepted: false, conflict: b(7) }]);
    expect(await store.prepare([{ ...request('a'), ballot: b(8) }])).toEqual([{ promised: true, accepted: { ballot: b(7), value: v('seven') } }]);
    // A delete: a tombstone, with no bytes but its lineage.
    const deleted = { ...v('gone'), value: Buffer.alloc(0), contentType: '', tombstone: true };
    expect(await store.accept([{ ...request('a'), ballot: b(8), value: deleted }])).toEqual([{ accepted: true }]);
    expect(await store.prepare([{ ...request('a'), ballot: b(9) }])).toEqual([{ promised: true, accepted: { ballot: b(8), value: deleted } }]);
  });

  it('answers a batch that names one key twice in arrival order', async () => {
    expect(await store.prepare([{ ...request('d'), ballot: b(1) }, { ...request('e'), ballot: b(1) }, { ...request('d'), ballot: b(2) }])).toEqual([
      { promised: true, accepted: null },
      { promised: true, accepted: null },
      { promised: true, accepted: null },
    ]);
    expect(await store.prepare([{ ...request('d'), ballot: b(4) }, { ...request('d'), ballot: b(3) }])).toEqual([
      { promised: true, accepted: null },
      { promised: false, conflict: b(4) },
    ]);
  });

  it('follows the pure acceptor rules for any sequence of messages, including accepts that promise the next ballot', async () => {
    type Message = { kind: 'prepare'; ballot: Ballot } | { kind: 'accept'; ballot: Ballot; value: string | null; promiseNext: Ballot | null };
    const ballot = fc.record({ counter: fc.integer({ min: 1, max: 6 }), proposer: fc.constantFrom('ap-south.x', 'eu-west.y', 'us-east.z') });
    const message: fc.Arbitrary<Message> = fc.oneof(
      fc.record({ kind: fc.constant('prepare' as const), ballot }),
      fc.record({
        kind: fc.constant('accept' as const),
        ballot,
        value: fc.option(fc.constantFrom('x', 'y', 'z'), { nil: null }),
        // Any ballot, as a message could carry: one not above the accepted ballot must be ignored.
        promiseNext: fc.option(ballot, { nil: null }),
      }),
    );
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(message, { minLength: 1, maxLength: 12 }), async (messages) => {
        const key = `model-${run++}`;
        let model: AcceptorState<StrongValue> = EMPTY_ACCEPTOR;
        for (const m of messages) {
          if (m.kind === 'prepare') {
            const expected = prepare(model, m.ballot);
            model = expected.state;
            expect(await store.prepare([{ ...request(key), ballot: m.ballot }])).toEqual([expected.reply]);
          } else {
            const value = m.value === null ? null : v(m.value);
            const expected = accept(model, m.ballot, value, m.promiseNext);
            model = expected.state;
            expect(await store.accept([{ ...request(key), ballot: m.ballot, value, promiseNext: m.promiseNext }])).toEqual([expected.reply]);
          }
        }
        const [row] = await store.load([{ keyspace: 'ledger', key }]);
        expect(row?.state ?? EMPTY_ACCEPTOR).toEqual(model);
      }),
      { numRuns: 80 },
    );
  }, 60_000);

  it('an accept that promises the next ballot lets that ballot accept without a prepare, and refuses the ballots between', async () => {
    await store.prepare([{ ...request('held'), ballot: b(10) }]);
    expect(await store.accept([{ ...request('held'), ballot: b(10), value: v('ten'), promiseNext: b(11) }])).toEqual([{ accepted: true, promisedNext: true }]);
    // Another proposer's ballot between the two (same counter, a higher id) is refused with the promise.
    expect(await store.prepare([{ ...request('held'), ballot: b(10, 'zz') }])).toEqual([{ promised: false, conflict: b(11) }]);
    expect(await store.accept([{ ...request('held'), ballot: b(11), value: v('eleven'), promiseNext: b(12) }])).toEqual([{ accepted: true, promisedNext: true }]);
    expect(await store.prepare([{ ...request('held'), ballot: b(13) }])).toEqual([{ promised: true, accepted: { ballot: b(11), value: v('eleven') } }]);
    // Outbid: the held ballot is refused, naming the prepare that outbid it.
    expect(await store.accept([{ ...request('held'), ballot: b(12), value: v('twelve'), promiseNext: b(14) }])).toEqual([{ accepted: false, conflict: b(13) }]);
  });

  it('never deadlocks when concurrent batches name the same keys in opposite orders', async () => {
    // Two gateways' batches for the same keys reach a node in whatever order their requests arrived; a row
    // locked in a different order by each statement made PostgreSQL abort one of them ("deadlock detected").
    const keys = Array.from({ length: 40 }, (_, i) => `contended-${i}`);
    for (let round = 1; round <= 25; round++) {
      const forward = keys.map((key) => ({ ...request(key), ballot: b(round, 'eu-west.f') }));
      const backward = keys.map((key) => ({ ...request(key), ballot: b(round, 'us-east.r') })).reverse();
      const [promisedForward, promisedBackward] = await Promise.all([store.prepare(forward), store.prepare(backward)]);
      // For each key exactly one of the two ballots of the round is the higher one; accepting both must leave that one.
      expect(promisedForward).toHaveLength(keys.length);
      expect(promisedBackward).toHaveLength(keys.length);
      await Promise.all([
        store.accept(forward.map((r) => ({ ...r, value: v(`f${round}`) }))),
        store.accept(backward.map((r) => ({ ...r, value: v(`r${round}`) }))),
      ]);
    }
    const final = await store.prepare(keys.map((key) => ({ ...request(key), ballot: b(99) })));
    expect(final.every((result) => result.promised && result.accepted?.ballot.counter === 25)).toBe(true);
  });

  describe('handover to a new acceptor node', () => {
    type Message = { kind: 'prepare'; ballot: Ballot } | { kind: 'accept'; ballot: Ballot; deletes: boolean };
    const ballot = fc.record({ counter: fc.integer({ min: 1, max: 6 }), proposer: fc.constantFrom('ap-south.x', 'eu-west.y', 'us-east.z') });
    const message: fc.Arbitrary<Message> = fc.oneof(
      fc.record({ kind: fc.constant('prepare' as const), ballot }),
      fc.record({ kind: fc.constant('accept' as const), ballot, deletes: fc.boolean() }),
    );
    // One value per ballot, as a proposer sends; a delete empties the register.
    const valueOf = (m: { ballot: Ballot; deletes: boolean }): StrongValue | null => (m.deletes ? null : v(`${m.ballot.counter}-${m.ballot.proposer}`));

    /** Sends the messages to the key through the store and the pure model alike; returns the model's state. */
    async function play(key: string, messages: readonly Message[]): Promise<AcceptorState<StrongValue>> {
      let model: AcceptorState<StrongValue> = EMPTY_ACCEPTOR;
      for (const m of messages) {
        if (m.kind === 'prepare') {
          model = prepare(model, m.ballot).state;
          await store.prepare([{ ...request(key), ballot: m.ballot }]);
        } else {
          model = accept(model, m.ballot, valueOf(m)).state;
          await store.accept([{ ...request(key), ballot: m.ballot, value: valueOf(m) }]);
        }
      }
      return model;
    }

    it('loads what the messages made, and merges a handed-over state as the pure merge does', async () => {
      let run = 0;
      await fc.assert(
        fc.asyncProperty(fc.array(message, { minLength: 1, maxLength: 10 }), fc.array(message, { maxLength: 10 }), async (source, receiver) => {
          const [from, to] = [`handover-from-${run}`, `handover-to-${run++}`];
          const sent = await play(from, source);
          const held = await play(to, receiver);
          const [record] = await store.load([{ keyspace: 'ledger', key: from }]);
          expect(record.state).toEqual(sent);
          await store.merge([{ ...record, key: to }], null);
          // Twice: a handover page retried after a lost answer changes nothing more.
          await store.merge([{ ...record, key: to }], null);
          const expected = receiver.length === 0 ? sent : mergeAcceptorStates(held, sent);
          const [merged] = await store.load([{ keyspace: 'ledger', key: to }]);
          expect(merged.state).toEqual(expected);
        }),
        { numRuns: 60 },
      );
    }, 60_000);

    it('pages the keys it holds in order, and forgets the ones handed over', async () => {
      const keys = ['page-a', 'page-b', 'page-c', 'page-d'];
      for (const key of keys) await store.prepare([{ ...request(key), ballot: b(1) }]);
      const held = async (): Promise<string[]> => {
        const seen: string[] = [];
        let after = { keyspace: 'ledger', key: 'page-' };
        for (;;) {
          const page = await store.keysAfter(after, 3);
          const mine = page.filter((ref) => ref.key.startsWith('page-'));
          seen.push(...mine.map((ref) => ref.key));
          if (page.length < 3 || mine.length < page.length) return seen;
          after = page[page.length - 1];
        }
      };
      expect(await held()).toEqual(keys);
      await store.forget([{ keyspace: 'ledger', key: 'page-b' }, { keyspace: 'ledger', key: 'page-d' }]);
      expect(await held()).toEqual(['page-a', 'page-c']);
      expect(await store.load([{ keyspace: 'ledger', key: 'page-b' }])).toEqual([]);
    });
  });
});
