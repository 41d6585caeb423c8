import fc from 'fast-check';
import { hashToPosition, RING_SIZE } from './hash';
import { partitionMoves } from './partition-moves';
import { RegionRing } from './region-ring';
import { Ring } from './ring';

const NODES = ['n1', 'n2', 'n3', 'n4', 'n5', 'n6'];
const keyArb = fc.string({ minLength: 1, maxLength: 20 });
const downArb = fc.subarray(NODES);
const nArb = fc.integer({ min: 1, max: 5 });

const layout = (down: readonly string[], target: readonly string[] | null = null) =>
  new RegionRing({ vnodesPerNode: 16, members: NODES, target, down: new Set(down) });

describe('RegionRing properties', () => {
  it('places every write on distinct up nodes: up home replicas (which count), down ones through a stand-in with a hint (which does not)', () => {
    fc.assert(
      fc.property(keyArb, nArb, downArb, (key, n, down) => {
        const region = layout(down);
        const homes = region.homeReplicas(key, n);
        const targets = region.writeTargets(key, n);
        const nodes = targets.map((target) => target.node);
        expect(new Set(nodes).size).toBe(nodes.length);
        expect(nodes.every((node) => region.isUp(node))).toBe(true);
        for (const target of targets) {
          expect(target.counts).toBe(target.hintFor === null);
          if (target.hintFor === null) expect(homes).toContain(target.node);
          else {
            expect(homes).toContain(target.hintFor);
            expect(homes).not.toContain(target.node);
            expect(region.isUp(target.hintFor)).toBe(false);
          }
        }
        // As many targets as home replicas, unless too few nodes are up; a down home replica without a
        // stand-in is reported as unplaced, so its hint stays with the coordinator.
        const up = NODES.length - down.length;
        expect(targets.length).toBe(Math.min(homes.length, up));
        const { unplaced } = region.writePlacement(key, n);
        const covered = new Set(targets.map((target) => target.hintFor ?? target.node));
        expect(unplaced.sort()).toEqual(homes.filter((home) => !covered.has(home)).sort());
      }),
    );
  });

  it('gives every home replica of the target ring each write while a rebalance runs, without counting the new ones', () => {
    const target = NODES.slice(0, 5);
    fc.assert(
      fc.property(keyArb, nArb, (key, n) => {
        const region = new RegionRing({ vnodesPerNode: 16, members: NODES.slice(0, 4), target, down: new Set() });
        const targets = region.writeTargets(key, n);
        for (const node of region.targetReplicas(key, n)) expect(targets.map((t) => t.node)).toContain(node);
        expect(targets.filter((t) => t.counts).map((t) => t.node)).toEqual(region.homeReplicas(key, n));
      }),
    );
  });

  it("names each key's first home replica by its position alone, whatever the replication factor", () => {
    fc.assert(
      fc.property(keyArb, nArb, downArb, (key, n, down) => {
        const region = layout(down);
        expect(region.primaryAt(hashToPosition(key))).toBe(region.homeReplicas(key, n)[0]);
      }),
    );
    expect(new RegionRing({ vnodesPerNode: 16, members: [], target: null, down: new Set() }).primaryAt(0)).toBeNull();
  });

  it('reads from the up home replicas only, never from a stand-in', () => {
    fc.assert(
      fc.property(keyArb, downArb, (key, down) => {
        const region = layout(down);
        expect(region.readTargets(key, 3)).toEqual(region.homeReplicas(key, 3).filter((node) => region.isUp(node)));
      }),
    );
  });
});

describe('partitionMoves', () => {
  const ring = (ids: readonly string[]) => new Ring(ids.map((id) => ({ id })), { vnodesPerNode: 256 });

  it('moves about a quarter of the partitions when a fourth node joins three, all of them to the new node', () => {
    const { partitions, moves } = partitionMoves(ring(['n1', 'n2', 'n3']), ring(['n1', 'n2', 'n3', 'n4']), 1);
    expect(moves.length / partitions).toBeGreaterThan(0.15);
    expect(moves.length / partitions).toBeLessThan(0.35);
    for (const move of moves) expect(move.to).toEqual(['n4']);
  });

  it('with three replicas, each moved partition gains only the new node and loses one old replica', () => {
    const { moves } = partitionMoves(ring(['n1', 'n2', 'n3', 'n4']), ring(['n1', 'n2', 'n3', 'n4', 'n5']), 3);
    expect(moves.length).toBeGreaterThan(0);
    for (const move of moves) {
      const gained = move.to.filter((node) => !move.from.includes(node));
      const lost = move.from.filter((node) => !move.to.includes(node));
      expect(gained).toEqual(['n5']);
      expect(lost).toHaveLength(1);
    }
  });

  it('agrees with per-key placement for random keys', () => {
    const before = ring(['a', 'b', 'c']);
    const after = ring(['a', 'b', 'c', 'd']);
    const { moves } = partitionMoves(before, after, 2);
    fc.assert(
      fc.property(keyArb, (key) => {
        const moved = before.preferenceList(key, 2).sort().join() !== after.preferenceList(key, 2).sort().join();
        const position = hashToPosition(key);
        const inMovedArc = moves.some(
          (move) => (move.start < position && position <= move.end) || (move.start < 0 && position > move.start + RING_SIZE),
        );
        expect(inMovedArc).toBe(moved);
      }),
    );
  });
});
