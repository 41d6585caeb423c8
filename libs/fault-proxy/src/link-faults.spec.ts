import { HEALTHY, InvalidFaultsError, MAX_DELAY_MS, updatedFaults } from './link-faults';

describe('updatedFaults', () => {
  it('applies a partial update over the current faults', () => {
    expect(updatedFaults(HEALTHY, { delayMs: 50 })).toEqual({ delayMs: 50, blackhole: false });
    expect(updatedFaults({ delayMs: 50, blackhole: false }, { blackhole: true })).toEqual({ delayMs: 50, blackhole: true });
    expect(updatedFaults({ delayMs: 50, blackhole: true }, {})).toEqual({ delayMs: 50, blackhole: true });
  });

  it.each([
    [null, /JSON object/],
    [[1], /JSON object/],
    ['50', /JSON object/],
    [{ delay: 5 }, /unknown field\(s\): delay/],
    [{ delayMs: -1 }, /delayMs must be an integer/],
    [{ delayMs: 1.5 }, /delayMs must be an integer/],
    [{ delayMs: MAX_DELAY_MS + 1 }, /delayMs must be an integer/],
    [{ delayMs: '5' }, /delayMs must be an integer/],
    [{ blackhole: 'yes' }, /blackhole must be true or false/],
  ])('rejects %j with a message that says what is wrong', (update, message) => {
    expect(() => updatedFaults(HEALTHY, update)).toThrow(InvalidFaultsError);
    expect(() => updatedFaults(HEALTHY, update)).toThrow(message);
  });
});
