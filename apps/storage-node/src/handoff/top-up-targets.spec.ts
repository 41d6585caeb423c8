import { RegionRing } from '@geokv/partitioning';
import { topUpTargets } from './top-up-targets';

const members = ['n1', 'n2', 'n3', 'n4'];
const ringWith = (down: readonly string[] = []): RegionRing => new RegionRing({ vnodesPerNode: 64, members, target: null, down: new Set(down) });
const keys = Array.from({ length: 200 }, (_, i) => `key-${i}`);

describe('topUpTargets', () => {
  it('has the key primary send it to exactly the replicas the key gains, and no other node send anything', () => {
    const ring = ringWith();
    for (const key of keys) {
      const [primary, ...others] = ring.homeReplicas(key, 3);
      expect(topUpTargets(ring, key, 1, 3, primary)).toEqual(others);
      for (const node of members.filter((node) => node !== primary && ring.homeReplicas(key, 1).includes(node))) {
        expect(topUpTargets(ring, key, 1, 3, node)).toEqual([]);
      }
      // The replicas it gains hold a copy once the primary has sent it, and do not send it again.
      for (const gained of others) expect(topUpTargets(ring, key, 1, 3, gained)).toEqual([]);
      // From two replicas to three: only the third is new, and only the first of the two sends.
      const homes = ring.homeReplicas(key, 3);
      expect(topUpTargets(ring, key, 2, 3, homes[0])).toEqual([homes[2]]);
      expect(topUpTargets(ring, key, 2, 3, homes[1])).toEqual([]);
    }
  });

  it('has the next home replica send when the first is down', () => {
    const ring = ringWith(['n1']);
    const key = keys.find((candidate) => ring.homeReplicas(candidate, 2)[0] === 'n1')!;
    const [, second, third] = ring.homeReplicas(key, 3);
    expect(topUpTargets(ring, key, 2, 3, second)).toEqual([third]);
    expect(topUpTargets(ring, key, 2, 3, 'n1')).toEqual([]);
  });

  it('has a node holding a copy it is no home replica for send it to every new replica', () => {
    const ring = ringWith();
    for (const key of keys.slice(0, 20)) {
      const outsider = members.find((node) => !ring.homeReplicas(key, 3).includes(node))!;
      expect(topUpTargets(ring, key, 1, 3, outsider)).toEqual(ring.homeReplicas(key, 3).slice(1));
    }
  });

  it('sends nothing when the factor does not rise', () => {
    const ring = ringWith();
    for (const key of keys.slice(0, 20)) {
      const primary = ring.homeReplicas(key, 1)[0];
      expect(topUpTargets(ring, key, 3, 3, primary)).toEqual([]);
      expect(topUpTargets(ring, key, 3, 1, primary)).toEqual([]);
    }
  });
});
