import { EXCHANGE_VALUE_BYTES, FIRST_EXCHANGE_WIDTH, nextExchangeWidth } from './exchange-width';

describe('nextExchangeWidth', () => {
  it('widens exchanges that held little, up to every bucket', () => {
    let width = FIRST_EXCHANGE_WIDTH;
    const widths: number[] = [];
    for (let i = 0; i < 10; i++) widths.push((width = nextExchangeWidth(width, 1_000, 1_024)));
    expect(widths).toEqual([16, 32, 64, 128, 256, 512, 1_024, 1_024, 1_024, 1_024]);
    // 1,024 differing buckets of a few versions each: 8 exchanges, where a fixed width of 8 made 128.
    let exchanges = 0;
    for (let start = 0, w = FIRST_EXCHANGE_WIDTH; start < 1_024; exchanges++) {
      start += w;
      w = nextExchangeWidth(w, 1_000, 1_024);
    }
    expect(exchanges).toBe(8);
  });

  it('narrows exchanges that held more than the budget, down to one bucket, and keeps one in between', () => {
    expect(nextExchangeWidth(8, EXCHANGE_VALUE_BYTES + 1, 1_024)).toBe(4);
    expect(nextExchangeWidth(1, EXCHANGE_VALUE_BYTES * 10, 1_024)).toBe(1);
    expect(nextExchangeWidth(8, EXCHANGE_VALUE_BYTES / 2, 1_024)).toBe(8);
  });
});
