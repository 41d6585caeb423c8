import { RegionRing } from '@geokv/partitioning';
import { firstCounting, planDeliveries, planFallback, type KeyPlacement } from './replica-deliveries';

const home = (node: string) => ({ node, hintFor: null, counts: true });
const standIn = (node: string, hintFor: string) => ({ node, hintFor, counts: false });
const newReplica = (node: string) => ({ node, hintFor: null, counts: false });

describe('planDeliveries', () => {
  it('sends every version to each of its targets, one delivery per node', () => {
    const placements: KeyPlacement[] = [
      { targets: [home('n1'), home('n2'), home('n3')], unplaced: [] },
      { targets: [home('n2'), home('n3'), home('n1')], unplaced: [] },
      { targets: [home('n3')], unplaced: [] },
    ];
    const deliveries = planDeliveries(placements);
    expect([...deliveries.keys()].sort()).toEqual(['n1', 'n2', 'n3']);
    expect(deliveries.get('n1')).toEqual({ node: 'n1', indexes: [0, 1], hints: {} });
    expect(deliveries.get('n2')).toEqual({ node: 'n2', indexes: [0, 1], hints: {} });
    expect(deliveries.get('n3')).toEqual({ node: 'n3', indexes: [0, 1, 2], hints: {} });
  });

  it('has a stand-in keep a hint for the replica it stands in for, and the first home replica the unplaced ones', () => {
    const placements: KeyPlacement[] = [
      { targets: [home('n1'), standIn('n4', 'n2')], unplaced: ['n3'] },
      { targets: [home('n4'), home('n1')], unplaced: [] },
    ];
    const deliveries = planDeliveries(placements);
    // Hints are keyed by position in the node's own list of versions.
    expect(deliveries.get('n1')).toEqual({ node: 'n1', indexes: [0, 1], hints: { 0: ['n3'] } });
    expect(deliveries.get('n4')).toEqual({ node: 'n4', indexes: [0, 1], hints: { 0: ['n2'] } });
  });

  it('sends to the new replicas of a rebalance too, without hints', () => {
    const deliveries = planDeliveries([{ targets: [home('n1'), newReplica('n5')], unplaced: [] }]);
    expect(deliveries.get('n5')).toEqual({ node: 'n5', indexes: [0], hints: {} });
  });

  it('matches what a coordinator would have sent: every write target of the ring, hints on the same nodes', () => {
    const ring = new RegionRing({ vnodesPerNode: 64, members: ['n1', 'n2', 'n3', 'n4'], target: null, down: new Set(['n2']) });
    const placements = Array.from({ length: 200 }, (_, i) => ring.writePlacement(`default/key-${i}`, 3));
    const deliveries = planDeliveries(placements);
    placements.forEach((placement, index) => {
      for (const target of placement.targets) {
        const delivery = deliveries.get(target.node)!;
        const position = delivery.indexes.indexOf(index);
        expect(position).toBeGreaterThanOrEqual(0);
        expect(delivery.hints[position] ?? []).toEqual(target.hintFor === null ? [] : [target.hintFor]);
      }
    });
    expect(deliveries.has('n2')).toBe(false);
  });
});

describe('planFallback', () => {
  const placements: KeyPlacement[] = [
    { targets: [home('n1'), home('n2'), home('n3')], unplaced: [] },
    { targets: [home('n2'), home('n3'), home('n1')], unplaced: [] },
    { targets: [home('n3'), home('n1')], unplaced: [] },
    { targets: [home('n2')], unplaced: [] },
  ];

  it('leaves versions none of whose targets failed alone', () => {
    expect(planFallback(placements, new Set(['n9']))).toEqual({ byCoordinator: new Map(), stranded: [] });
  });

  it('gives each version a failed node should have taken to the first home replica that did not fail', () => {
    const { byCoordinator, stranded } = planFallback(placements, new Set(['n2']));
    expect(byCoordinator).toEqual(new Map([['n1', [0]], ['n3', [1]]]));
    // Version 3's only replica failed: nothing can take it now.
    expect(stranded).toEqual([3]);
  });

  it('never picks a stand-in or a rebalance target as the coordinator', () => {
    const { byCoordinator, stranded } = planFallback([{ targets: [home('n1'), standIn('n4', 'n2'), newReplica('n5')], unplaced: [] }], new Set(['n1']));
    expect(byCoordinator.size).toBe(0);
    expect(stranded).toEqual([0]);
  });
});

describe('firstCounting', () => {
  it('is the first home replica not excluded', () => {
    expect(firstCounting([standIn('n4', 'n1'), home('n2'), home('n3')])).toBe('n2');
    expect(firstCounting([home('n2'), home('n3')], new Set(['n2']))).toBe('n3');
    expect(firstCounting([standIn('n4', 'n1')])).toBeNull();
  });
});
