import { DuplicateMemberError, EmptyRingError } from './errors';
import { hashToPosition } from './hash';
import { DEFAULT_VNODES_PER_NODE, Ring } from './ring';

const nodes = (...ids: string[]) => ids.map((id) => ({ id }));

describe('Ring', () => {
  it('uses 256 vnodes per node by default and reports its shape', () => {
    const ring = new Ring(nodes('c', 'a', 'b'));
    expect(DEFAULT_VNODES_PER_NODE).toBe(256);
    expect(ring.vnodesPerNode).toBe(256);
    expect(ring.size).toBe(3);
    expect(ring.tokenCount).toBe(768);
    expect(ring.members()).toEqual(['a', 'b', 'c']);
  });

  it('rejects duplicate member ids with a typed error naming the id', () => {
    const build = () => new Ring(nodes('a', 'b', 'a'));
    expect(build).toThrow(DuplicateMemberError);
    expect(build).toThrow(/"a"/);
  });

  it.each([0, -1, 1.5, Number.NaN])('rejects vnodesPerNode = %p', (vnodesPerNode) => {
    expect(() => new Ring(nodes('a'), { vnodesPerNode })).toThrow(RangeError);
  });

  it('refuses placements on an empty ring', () => {
    const ring = new Ring([]);
    expect(ring.size).toBe(0);
    expect(ring.tokenCount).toBe(0);
    expect(() => ring.ownerOf('k')).toThrow(EmptyRingError);
    expect(() => ring.preferenceList('k', 3)).toThrow(EmptyRingError);
    expect(ring.ownership()).toEqual(new Map());
  });

  it('gives every key to the only member of a one-node ring', () => {
    const ring = new Ring(nodes('solo'));
    expect(['', 'a', 'zzz'].map((k) => ring.ownerOf(k))).toEqual(['solo', 'solo', 'solo']);
    expect(ring.preferenceList('a', 3)).toEqual(['solo']);
    expect(ring.ownership()).toEqual(new Map([['solo', 1]]));
  });

  it('places a key on the first token at or after its position, wrapping past the last token', () => {
    // One vnode each: the token table is exactly [hash("x#0"), hash("y#0")], so it can be checked by hand.
    const ring = new Ring(nodes('x', 'y'), { vnodesPerNode: 1 });
    const [low, high] = [
      { id: 'x', at: hashToPosition('x#0') },
      { id: 'y', at: hashToPosition('y#0') },
    ].sort((a, b) => a.at - b.at);
    const keys = Array.from({ length: 200 }, (_, i) => `key-${i}`);
    for (const key of keys) {
      const at = hashToPosition(key);
      const expected = at <= low.at || at > high.at ? low.id : high.id;
      expect(ring.ownerOf(key)).toBe(expected);
    }
    // Both branches, including the wrap-around, were exercised.
    expect(keys.some((k) => hashToPosition(k) > high.at)).toBe(true);
    expect(keys.some((k) => hashToPosition(k) > low.at && hashToPosition(k) <= high.at)).toBe(true);
  });

  it('returns the replicas in clockwise order, coordinator first, capped at the member count', () => {
    const ring = new Ring(nodes('a', 'b', 'c', 'd', 'e'));
    const list = ring.preferenceList('user:42', 3);
    expect(list).toHaveLength(3);
    expect(list[0]).toBe(ring.ownerOf('user:42'));
    expect(ring.preferenceList('user:42', 5)).toEqual(expect.arrayContaining(list));
    expect(ring.preferenceList('user:42', 5).slice(0, 3)).toEqual(list);
    expect(ring.preferenceList('user:42', 99)).toHaveLength(5);
    expect(ring.preferenceList('user:42', 0)).toEqual([]);
  });

  it.each([-1, 1.5, Number.POSITIVE_INFINITY])('rejects a preference list of length %p', (n) => {
    expect(() => new Ring(nodes('a')).preferenceList('k', n)).toThrow(RangeError);
  });

  it('reports ownership fractions that sum to 1 for every member', () => {
    const ownership = new Ring(nodes('a', 'b', 'c', 'd')).ownership();
    expect([...ownership.keys()]).toEqual(['a', 'b', 'c', 'd']);
    const total = [...ownership.values()].reduce((sum, share) => sum + share, 0);
    expect(total).toBeCloseTo(1, 12);
    for (const share of ownership.values()) expect(share).toBeGreaterThan(0.15);
  });

  it('accepts node ids containing the vnode separator without mixing up their tokens', () => {
    const ring = new Ring(nodes('a', 'a#1'), { vnodesPerNode: 4 });
    expect(ring.tokenCount).toBe(8);
    expect([...ring.ownership().values()].every((share) => share > 0)).toBe(true);
  });

  it('cannot be changed through the arrays it returns', () => {
    const ring = new Ring(nodes('a', 'b'));
    expect(Object.isFrozen(ring.members())).toBe(true);
    ring.ownership().set('a', 1);
    expect(ring.ownership().get('a')).toBeLessThan(1);
  });
});
