import fc from 'fast-check';
import { compareAcceptorKeys, type AcceptorKey, type AcceptorRecord, type NodeAcceptorStates } from '@geokv/protocol';
import { regionStatesPage } from './acceptor-states-page';

const record = (key: string): AcceptorRecord => ({ keyspace: 'ledger', key, state: { promised: { counter: 1, proposer: 'p' }, accepted: null } });
const ref = (key: string): AcceptorKey => ({ keyspace: 'ledger', key });

/** What a node answers for a scan of `limit` rows after `after`, where `wanted` marks the keys it returns. */
function nodePage(rows: readonly string[], wanted: ReadonlySet<string>, after: AcceptorKey | null, limit: number): NodeAcceptorStates {
  const scanned = rows.filter((key) => after === null || compareAcceptorKeys(ref(key), after) > 0).slice(0, limit);
  return {
    records: scanned.filter((key) => wanted.has(key)).map(record),
    scannedThrough: scanned.length < limit ? null : ref(scanned[scanned.length - 1]),
  };
}

describe('regionStatesPage', () => {
  it('ends at the smallest last row of the nodes that have more, and goes on from there', () => {
    const page = regionStatesPage([
      { records: [record('a'), record('d')], scannedThrough: ref('d') },
      { records: [record('b'), record('f')], scannedThrough: ref('f') },
      { records: [record('c'), record('z')], scannedThrough: null },
    ]);
    expect(page.records.map((r) => r.key).sort()).toEqual(['a', 'b', 'c', 'd']);
    expect(page.next).toEqual(ref('d'));
  });

  it('is the last page once every node has reached its end', () => {
    const page = regionStatesPage([
      { records: [record('a')], scannedThrough: null },
      { records: [record('q')], scannedThrough: null },
    ]);
    expect(page).toEqual({ records: [record('a'), record('q')], next: null, floor: null });
  });

  it('carries the highest of the nodes’ acceptor floors, an earlier release’s page having none', () => {
    const floor = (counter: number) => ({ counter, proposer: 'us-east.gc' });
    const page = regionStatesPage([
      { records: [], scannedThrough: null, floor: floor(7) },
      { records: [], scannedThrough: null, floor: floor(9) },
      { records: [], scannedThrough: null, floor: null },
      { records: [], scannedThrough: null },
    ]);
    expect(page.floor).toEqual(floor(9));
  });

  it('paging to the end returns every wanted record of every node exactly once', () => {
    const keys = fc.uniqueArray(fc.string({ unit: 'binary', minLength: 1, maxLength: 4 }), { maxLength: 40 });
    fc.assert(
      fc.property(fc.array(keys, { minLength: 1, maxLength: 4 }), fc.integer({ min: 1, max: 6 }), fc.func(fc.boolean()), (nodes, limit, pick) => {
        const sorted = nodes.map((rows) => [...rows].sort((a, b) => compareAcceptorKeys(ref(a), ref(b))));
        const wanted = new Set(sorted.flat().filter((key) => pick(key)));
        const seen: string[] = [];
        let after: AcceptorKey | null = null;
        for (let pages = 0; pages < 1_000; pages++) {
          const page = regionStatesPage(sorted.map((rows) => nodePage(rows, wanted, after, limit)));
          seen.push(...page.records.map((r) => r.key));
          if (page.next === null) break;
          after = page.next;
        }
        const expected = sorted.flatMap((rows) => rows.filter((key) => wanted.has(key)));
        expect([...seen].sort()).toEqual([...expected].sort());
      }),
      { numRuns: 300 },
    );
  });
});
