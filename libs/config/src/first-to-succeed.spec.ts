import { firstToSucceed } from './first-to-succeed';

const after = <T>(ms: number, value: T): Promise<T> => new Promise((resolve) => setTimeout(() => resolve(value), ms));
const failAfter = (ms: number, reason = 'down'): Promise<never> => new Promise((_resolve, reject) => setTimeout(() => reject(new Error(reason)), ms));
const never = new Promise<never>(() => undefined);

describe('firstToSucceed', () => {
  it('answers with the first successes as soon as there are enough, without waiting for the rest', async () => {
    expect(await firstToSucceed([after(5, 'a'), never, after(1, 'b')], 2)).toEqual({ values: ['b', 'a'] });
  });

  it('answers with the failures as soon as too many have failed, without waiting for the rest', async () => {
    expect(await firstToSucceed([failAfter(1, 'x'), never, failAfter(2, 'y')], 2)).toEqual({ errors: [new Error('x'), new Error('y')] });
    expect(await firstToSucceed([after(1, 'a'), failAfter(2), failAfter(3)], 2)).toEqual({ errors: [new Error('down'), new Error('down')] });
  });

  it('counts late failures as nothing once enough have succeeded, and needs nothing when none is needed', async () => {
    expect(await firstToSucceed([after(1, 'a'), after(2, 'b'), failAfter(3)], 2)).toEqual({ values: ['a', 'b'] });
    expect(await firstToSucceed([never], 0)).toEqual({ values: [] });
  });
});
