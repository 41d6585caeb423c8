import { firstToSucceed } from './first-to-succeed';

const after = <T>(ms: number, value: T): Promise<T> => new Promise((resolve) => setTimeout(() => resolve(value), ms));
const failAfter = (ms: number): Promise<never> => new Promise((_resolve, reject) => setTimeout(() => reject(new Error('down')), ms));
const never = new Promise<never>(() => undefined);

describe('firstToSucceed', () => {
  it('answers with the first successes as soon as there are enough, without waiting for the rest', async () => {
    expect(await firstToSucceed([after(5, 'a'), never, after(1, 'b')], 2)).toEqual(['b', 'a']);
  });

  it('answers null as soon as too many have failed, without waiting for the rest', async () => {
    expect(await firstToSucceed([failAfter(1), never, failAfter(2)], 2)).toBeNull();
    expect(await firstToSucceed([after(1, 'a'), failAfter(2), failAfter(3)], 2)).toBeNull();
  });

  it('counts late failures as nothing once enough have succeeded', async () => {
    expect(await firstToSucceed([after(1, 'a'), after(2, 'b'), failAfter(3)], 2)).toEqual(['a', 'b']);
  });
});
