import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { RING_SIZE } from './hash';
import { bucketOf, DIGEST_BYTES, MerkleTree, xorInto } from './merkle';

const digestOf = (text: string): Buffer => createHash('md5').update(text).digest();

function leaves(count: number, label: (i: number) => string): Buffer[] {
  return Array.from({ length: count }, (_, i) => digestOf(label(i)));
}

describe('bucketOf', () => {
  it('cuts the ring into equal ranges, in order', () => {
    expect(bucketOf(0, 1024)).toBe(0);
    expect(bucketOf(RING_SIZE - 1, 1024)).toBe(1023);
    expect(bucketOf(RING_SIZE / 2, 1024)).toBe(512);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: RING_SIZE - 1 }), fc.integer({ min: 0, max: RING_SIZE - 1 }), (a, b) => {
        if (a <= b) expect(bucketOf(a, 64)).toBeLessThanOrEqual(bucketOf(b, 64));
      }),
    );
  });
});

describe('xorInto', () => {
  it('sums digests independently of order, and a digest added twice cancels', () => {
    const [a, b, c] = ['a', 'b', 'c'].map(digestOf);
    const one = Buffer.alloc(DIGEST_BYTES);
    for (const digest of [a, b, c]) xorInto(one, digest);
    const other = Buffer.alloc(DIGEST_BYTES);
    for (const digest of [c, a, b]) xorInto(other, digest);
    expect(one.equals(other)).toBe(true);
    xorInto(other, b);
    xorInto(other, b);
    expect(one.equals(other)).toBe(true);
  });
});

describe('MerkleTree', () => {
  it('finds exactly the leaves that differ', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 0, max: 255 }), { maxLength: 20 }), (changed) => {
        const base = leaves(256, (i) => `leaf-${i}`);
        const modified = base.map((leaf, i) => (changed.includes(i) ? digestOf(`changed-${i}`) : leaf));
        const a = MerkleTree.fromLeaves(base);
        const b = MerkleTree.fromLeaves(modified);
        expect(a.differingLeaves(b)).toEqual([...changed].sort((x, y) => x - y));
        expect(a.root.equals(b.root)).toBe(changed.length === 0);
      }),
    );
  });

  it('survives the trip as hex', () => {
    const tree = MerkleTree.fromLeaves(leaves(8, (i) => `${i}`));
    const copy = MerkleTree.fromHex(tree.toHex());
    expect(copy.differingLeaves(tree)).toEqual([]);
    expect(copy.leafCount).toBe(8);
  });

  it('refuses a leaf count that is not a power of two, and trees of different sizes', () => {
    expect(() => MerkleTree.fromLeaves(leaves(6, String))).toThrow(/power-of-two/);
    expect(() => MerkleTree.fromLeaves(leaves(4, String)).differingLeaves(MerkleTree.fromLeaves(leaves(8, String)))).toThrow(/different/);
  });
});
