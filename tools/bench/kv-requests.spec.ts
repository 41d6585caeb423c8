import { spreadSample } from './kv-requests';

describe('spreadSample', () => {
  it('takes `count` items evenly spaced from the start', () => {
    const items = Array.from({ length: 10_000 }, (_, i) => i);
    const sample = spreadSample(items, 2_000);
    expect(sample).toHaveLength(2_000);
    expect(sample.slice(0, 3)).toEqual([0, 5, 10]);
    expect(sample[1_999]).toBe(9_995);
  });

  it('never takes more than asked when the spacing rounds down', () => {
    expect(spreadSample(Array.from({ length: 3_999 }, (_, i) => i), 2_000)).toHaveLength(2_000);
  });

  it('takes everything when there are fewer items than asked', () => {
    expect(spreadSample([7, 8, 9], 10)).toEqual([7, 8, 9]);
    expect(spreadSample([], 10)).toEqual([]);
  });
});
