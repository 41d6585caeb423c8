import { RegionRing } from '@geokv/partitioning';
import { acceptorNodeOf, targetAcceptorNodeOf } from '@geokv/protocol';
import { acceptorsLeaving } from './acceptors-leaving';

const refs = Array.from({ length: 1_000 }, (_, i) => ({ keyspace: 'ledger', key: `k${i}` }));

describe('acceptorsLeaving', () => {
  it('hands each key this node is the acceptor of to its new acceptor, and keeps the ones it stays acceptor of', () => {
    const drain = new RegionRing({ vnodesPerNode: 16, members: ['n1', 'n2', 'n3'], target: ['n1', 'n3'], down: new Set() });
    const { handOver, stray } = acceptorsLeaving(drain, 'n2', refs);
    const own = refs.filter((ref) => acceptorNodeOf(drain, ref.keyspace, ref.key) === 'n2');
    expect([...handOver.keys()].sort()).toEqual(['n1', 'n3']);
    expect([...handOver.values()].flat().length).toBe(own.length);
    for (const [node, moving] of handOver) expect(moving.every((ref) => targetAcceptorNodeOf(drain, ref.keyspace, ref.key) === node)).toBe(true);
    // The rows n2 holds for keys it is not the acceptor of, before or after, are strays.
    expect(stray).toEqual(refs.filter((ref) => acceptorNodeOf(drain, ref.keyspace, ref.key) !== 'n2' && targetAcceptorNodeOf(drain, ref.keyspace, ref.key) !== 'n2'));

    const { handOver: fromN1, stray: n1Strays } = acceptorsLeaving(drain, 'n1', refs);
    // n1 stays the acceptor of its own keys and gains some of n2's: nothing leaves it.
    expect(fromN1.size).toBe(0);
    expect(n1Strays.every((ref) => acceptorNodeOf(drain, ref.keyspace, ref.key) !== 'n1')).toBe(true);
  });

  it('hands nothing over without a rebalance', () => {
    const steady = new RegionRing({ vnodesPerNode: 16, members: ['n1', 'n2'], target: null, down: new Set() });
    expect(acceptorsLeaving(steady, 'n1', refs).handOver.size).toBe(0);
  });
});
