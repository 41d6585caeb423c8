import { randomSample } from './join-keys';

describe('randomSample', () => {
  it('picks `count` distinct items', () => {
    const items = Array.from({ length: 1_000 }, (_, i) => i);
    const sample = randomSample([...items], 100);
    expect(sample).toHaveLength(100);
    expect(new Set(sample).size).toBe(100);
    expect(sample.every((item) => item >= 0 && item < 1_000)).toBe(true);
  });

  it('takes everything when asked for more than there is', () => {
    expect(randomSample([3, 1, 2], 10).sort()).toEqual([1, 2, 3]);
    expect(randomSample([], 10)).toEqual([]);
  });

  it('draws with the given random source', () => {
    // A source that always draws the last remaining candidate.
    expect(randomSample([0, 1, 2, 3, 4], 2, () => 0.999)).toEqual([4, 0]);
  });
});
