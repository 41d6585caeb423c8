import { AcceptorLease } from './acceptor-lease';

describe('AcceptorLease', () => {
  let nowMs = 0;
  const lease = (): AcceptorLease => new AcceptorLease(2_000, () => nowMs);

  beforeEach(() => (nowMs = 10_000));

  it('holds for the lease from when the confirmed heartbeat was sent, not from its answer', () => {
    const held = lease();
    expect(held.holds()).toBe(false);
    expect(held.confirm(9_500, 4, 4)).toBe(true);
    expect(held.holds()).toBe(true);
    nowMs = 11_499;
    expect(held.holds()).toBe(true);
    nowMs = 11_500;
    expect(held.holds()).toBe(false);
  });

  it('is not renewed by an answer whose epoch the view has not reached', () => {
    const held = lease();
    expect(held.confirm(10_000, 5, 4)).toBe(false);
    expect(held.holds()).toBe(false);
    expect(held.confirm(10_000, 5, 6)).toBe(true);
    expect(held.holds()).toBe(true);
  });

  it('has lapsed for a node that comes back from a pause, even if an old answer arrives then', () => {
    const held = lease();
    held.confirm(10_000, 4, 4);
    nowMs = 30_000; // frozen for 20 s
    expect(held.holds()).toBe(false);
    // The answer to the heartbeat sent just before the pause is read only now.
    held.confirm(10_400, 4, 4);
    expect(held.holds()).toBe(false);
  });

  it('never moves back: a late answer to an older heartbeat does not shorten it', () => {
    const held = lease();
    held.confirm(10_000, 4, 4);
    held.confirm(9_000, 4, 4);
    nowMs = 11_999;
    expect(held.holds()).toBe(true);
  });
});
