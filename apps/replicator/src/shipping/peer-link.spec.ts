import type { PersistentReplyRedisClient } from '@geokv/config';
import { DARK_AFTER_MS, PeerLink } from './peer-link';

const TIMEOUT_MS = 30_000;

function newLink(): PeerLink {
  return new PeerLink('eu-west', {} as PersistentReplyRedisClient);
}

describe('PeerLink', () => {
  it('has no deadline for a request while the peer has never answered', () => {
    expect(newLink().deadlineOf(1_000, TIMEOUT_MS, 50_000)).toBeNull();
  });

  it('counts a deadline from the sending while the peer keeps answering', () => {
    const link = newLink();
    link.recordContact(1_000);
    link.recordContact(2_500);
    expect(link.deadlineOf(2_000, TIMEOUT_MS, 3_000)).toBe(32_000);
  });

  it('stops the clock while the link is dark, and gives a full deadline again once the peer answers', () => {
    const link = newLink();
    link.recordContact(1_000);
    // Sent just before the link went dark.
    expect(link.deadlineOf(1_500, TIMEOUT_MS, 1_000 + DARK_AFTER_MS + 1)).toBeNull();
    expect(link.deadlineOf(1_500, TIMEOUT_MS, 40_000)).toBeNull();
    link.recordContact(40_000);
    expect(link.deadlineOf(1_500, TIMEOUT_MS, 40_001)).toBe(70_000);
  });

  it('wakes waiters when the peer answers after a dark spell, not on every answer', async () => {
    const link = newLink();
    link.recordContact(1_000);
    const wakes: string[] = [];
    const done = new AbortController();
    const waiting = link.answeringAgain(done.signal).then(() => wakes.push('woken'));
    link.recordFailure('timed out');
    link.recordContact(2_000); // answers again, but the link was never dark
    await Promise.resolve();
    expect(wakes).toEqual([]);
    link.recordContact(2_000 + DARK_AFTER_MS + 1);
    await waiting;
    expect(wakes).toEqual(['woken']);
  });

  it('rejects a waiter whose signal aborts, and forgets it', async () => {
    const link = newLink();
    const done = new AbortController();
    const waiting = link.answeringAgain(done.signal);
    done.abort();
    await expect(waiting).rejects.toThrow();
    expect(() => link.recordContact(1_000)).not.toThrow();
  });

  it('tells listeners when a process of the peer replicator it had not heard from answers, the first included, not the same one again', () => {
    const link = newLink();
    const restarts: number[] = [];
    const stop = link.onPeerRestart(() => restarts.push(restarts.length));
    // What was sent before the first answer may have gone to a process that died without answering.
    link.recordContact(1_000, 'first');
    expect(restarts).toEqual([0]);
    link.recordApplied(1_100, 'first');
    link.recordContact(1_200); // an answer that does not say (an old peer)
    expect(restarts).toEqual([0]);
    link.recordApplied(1_300, 'second');
    expect(restarts).toEqual([0, 1]);
    stop();
    link.recordContact(1_400, 'third');
    expect(restarts).toEqual([0, 1]);
  });

  it("takes the shortest round trip of the last 10 to 20 s as the link's own, and forgets older ones", () => {
    const link = newLink();
    expect(link.baseRoundTripMs(0)).toBeNull();

    link.recordRoundTrip(140, 1_000);
    link.recordRoundTrip(105, 2_000);
    link.recordRoundTrip(180, 3_000);
    expect(link.baseRoundTripMs(3_000)).toBe(105);
    // The next window: the last one's shortest still counts.
    link.recordRoundTrip(120, 12_000);
    expect(link.baseRoundTripMs(12_000)).toBe(105);
    // A window later the link got faster, and the 105 ms of two windows ago is forgotten.
    link.recordRoundTrip(8, 23_000);
    expect(link.baseRoundTripMs(23_000)).toBe(8);
    // Silence for more than two windows: nothing known.
    expect(link.baseRoundTripMs(60_000)).toBeNull();
  });
});
