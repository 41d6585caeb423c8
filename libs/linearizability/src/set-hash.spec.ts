import { SetHash, splitmix32 } from './set-hash';

describe('SetHash', () => {
  it('is order-independent and returns to its start when members are toggled twice', () => {
    const h = new SetHash(10);
    const expectedA = h.toggledA(3) ^ new SetHash(10).toggledA(7); // both words come from the same table
    h.toggle(3);
    h.toggle(7);
    const [a, b] = [h.a, h.b];
    expect(a).toBe(expectedA);
    const other = new SetHash(10);
    other.toggle(7);
    other.toggle(3);
    expect([other.a, other.b]).toEqual([a, b]);
    h.toggle(3);
    h.toggle(7);
    expect([h.a, h.b]).toEqual([0, 0]);
  });

  it('previews a toggle without applying it', () => {
    const h = new SetHash(4);
    const [a, b] = [h.toggledA(2), h.toggledB(2)];
    expect([h.a, h.b]).toEqual([0, 0]);
    h.toggle(2);
    expect([h.a, h.b]).toEqual([a, b]);
  });

  it('gives distinct members distinct words (no trivial collisions among 10,000)', () => {
    const h = new SetHash(10_000);
    const seen = new Set<string>();
    for (let i = 0; i < 10_000; i++) seen.add(`${h.toggledA(i)}:${h.toggledB(i)}`);
    expect(seen.size).toBe(10_000);
  });

  it('splitmix32 is a deterministic 32-bit mixer', () => {
    expect(splitmix32(1)).toBe(splitmix32(1));
    expect(splitmix32(1)).not.toBe(splitmix32(2));
    expect(Number.isInteger(splitmix32(12345)) && Math.abs(splitmix32(12345)) < 2 ** 31).toBe(true);
  });
});
