import { PackedValues } from './packed-values';

describe('PackedValues', () => {
  it('keeps each value length in order, -1 for none, and the bytes end to end', () => {
    const values = new PackedValues();
    for (const value of [Buffer.from('ab'), null, Buffer.alloc(0), Buffer.from('cde')]) values.push(value);
    expect(values.lengths).toEqual([2, -1, 0, 3]);
    expect(values.bytes()).toEqual(Buffer.from('abcde'));
  });

  it('packs nothing into an empty parameter', () => {
    expect(new PackedValues().bytes()).toEqual(Buffer.alloc(0));
  });
});
