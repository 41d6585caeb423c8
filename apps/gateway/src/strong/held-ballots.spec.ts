import type { Ballot, HeldBallot } from '@geokv/caspaxos';
import type { StrongValue } from '@geokv/protocol';
import { CONTENDED_COOLDOWN_MS, HeldBallots, type HeldBallotEvent } from './held-ballots';

const b = (counter: number): Ballot => ({ counter, proposer: 'us-east.g' });
const held = (counter: number, bytes = 10): HeldBallot<StrongValue> => ({
  ballot: b(counter),
  value: {
    value: Buffer.alloc(bytes),
    contentType: 'text/plain',
    etag: `e${counter}`,
    tombstone: false,
    version: counter,
    recentOps: [`e${counter}`],
    lastModifiedMs: 0,
    expiresAtMs: null,
    originRegion: 'us-east',
  },
});

describe('HeldBallots', () => {
  let nowMs = 0;
  const events: HeldBallotEvent[] = [];
  const observe = (event: HeldBallotEvent): number => events.push(event);
  beforeEach(() => {
    nowMs = 1_000;
    events.length = 0;
  });

  it('hands a held ballot to one operation only, so that two never accept different values under it', () => {
    const ballots = new HeldBallots(1_048_576, () => nowMs);
    ballots.holdFor('ks', 'k', observe)!.keep(held(5));
    const first = ballots.holdFor('ks', 'k', observe)!;
    const second = ballots.holdFor('ks', 'k', observe)!;
    expect(first.take()).toEqual(held(5));
    expect(second.take()).toBeNull();
    expect(events).toEqual(['used']);
  });

  it('keeps the higher ballot when two operations on a key finish out of order', () => {
    const ballots = new HeldBallots(1_048_576, () => nowMs);
    ballots.holdFor('ks', 'k', observe)!.keep(held(9));
    ballots.holdFor('ks', 'k', observe)!.keep(held(7));
    expect(ballots.holdFor('ks', 'k', observe)!.take()).toEqual(held(9));
  });

  it('holds nothing for a key whose held ballot was refused, until the cool-down has passed', () => {
    const ballots = new HeldBallots(1_048_576, () => nowMs);
    const hold = ballots.holdFor('ks', 'k', observe)!;
    hold.refused();
    hold.keep(held(5));
    expect(ballots.holdFor('ks', 'k', observe)!.take()).toBeNull();
    // Other keys are not affected.
    ballots.holdFor('ks', 'other', observe)!.keep(held(5));
    expect(ballots.size).toBe(1);

    nowMs += CONTENDED_COOLDOWN_MS + 1;
    ballots.holdFor('ks', 'k', observe)!.keep(held(6));
    expect(ballots.holdFor('ks', 'k', observe)!.take()).toEqual(held(6));
    expect(events).toEqual(['refused', 'used']);
  });

  it('forgets the least recently used keys past its bytes, counting each value', () => {
    const ballots = new HeldBallots(3 * 1_024 + 3 * 1_000, () => nowMs);
    for (const key of ['a', 'b', 'c', 'd']) ballots.holdFor('ks', key, observe)!.keep(held(1, 1_000));
    expect(ballots.size).toBe(3);
    expect(ballots.holdFor('ks', 'a', observe)!.take()).toBeNull();
    expect(ballots.holdFor('ks', 'd', observe)!.take()).not.toBeNull();
  });

  it('tells keyspaces apart', () => {
    const ballots = new HeldBallots(1_048_576, () => nowMs);
    ballots.holdFor('ks1', 'k', observe)!.keep(held(5));
    expect(ballots.holdFor('ks2', 'k', observe)!.take()).toBeNull();
    expect(ballots.holdFor('ks1', 'k', observe)!.take()).toEqual(held(5));
  });

  it('holds nothing when turned off', () => {
    expect(new HeldBallots(0).holdFor('ks', 'k', observe)).toBeNull();
  });
});
