import type { PersistentReplyRedisClient } from '@geokv/config';
import { DARK_AFTER_MS, PeerLink } from './peer-link';
import { sendOverLink } from './send-over-link';

const TIMEOUT_MS = 30_000;

/** A request the test answers (or not) when it chooses. */
interface HeldRequest {
  answer(response: unknown): void;
  fail(error: unknown): void;
  /** Whether the sender gave up on it. */
  abandoned: boolean;
}

/** A client whose every request waits for the test to answer it, as a request over a stalled link would. */
function stalledClient(): { client: PersistentReplyRedisClient; replies: HeldRequest[] } {
  const replies: HeldRequest[] = [];
  const client = {
    dispatch: (_pattern: string, _data: unknown, settle: (error: unknown, response?: unknown) => void) => {
      const held: HeldRequest = {
        answer: (response) => settle(undefined, response),
        fail: (error) => settle(error),
        abandoned: false,
      };
      replies.push(held);
      return () => {
        held.abandoned = true;
      };
    },
  } as unknown as PersistentReplyRedisClient;
  return { client, replies };
}

/** The peer answers something (a probe, another shipment) every second for `ms`. */
async function keepAnswering(link: PeerLink, ms: number): Promise<void> {
  for (let elapsed = 0; elapsed < ms; elapsed += 1_000) {
    link.recordContact(Date.now());
    await jest.advanceTimersByTimeAsync(1_000);
  }
}

describe('sendOverLink', () => {
  beforeEach(() => jest.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => jest.useRealTimers());

  it('gives up after the deadline on a link the peer keeps answering on', async () => {
    const { client, replies } = stalledClient();
    const link = new PeerLink('eu-west', client);
    link.recordContact(Date.now());
    const rejected = expect(sendOverLink(link, 'ship', {}, TIMEOUT_MS)).rejects.toMatchObject({ name: 'TimeoutError' });
    // The peer goes on answering other requests; this one is lost.
    await keepAnswering(link, TIMEOUT_MS + 1_000);
    await rejected;
    expect(replies[0].abandoned).toBe(true);
  });

  it('holds a request through a dark spell and takes the answer the healed link brings', async () => {
    const { client, replies } = stalledClient();
    const link = new PeerLink('eu-west', client);
    link.recordContact(Date.now());
    let outcome: unknown = 'pending';
    const sent = sendOverLink<{ applied: number }>(link, 'ship', {}, TIMEOUT_MS).then((value) => (outcome = value), (error: unknown) => (outcome = error));
    // The link is cut for twice the deadline.
    await jest.advanceTimersByTimeAsync(2 * TIMEOUT_MS);
    expect(outcome).toBe('pending');
    // It heals: the peer answers a probe, then the request it held all along.
    link.recordContact(Date.now());
    await jest.advanceTimersByTimeAsync(TIMEOUT_MS - 1_000);
    expect(outcome).toBe('pending');
    replies[0].answer({ applied: 3 });
    await sent;
    expect(outcome).toEqual({ applied: 3 });
  });

  it('gives up a full deadline after the link came back, if no answer comes', async () => {
    const { client } = stalledClient();
    const link = new PeerLink('eu-west', client);
    let failedAt: number | null = null;
    const sent = sendOverLink(link, 'ship', {}, TIMEOUT_MS).catch((error: Error) => {
      failedAt = Date.now();
      return error;
    });
    await jest.advanceTimersByTimeAsync(TIMEOUT_MS + DARK_AFTER_MS);
    expect(failedAt).toBeNull();
    const cameBackAt = Date.now();
    await keepAnswering(link, TIMEOUT_MS + 1_000);
    expect(await sent).toMatchObject({ name: 'TimeoutError' });
    expect(failedAt! - cameBackAt).toBe(TIMEOUT_MS);
  });

  it('passes on an error answer at once', async () => {
    const { client, replies } = stalledClient();
    const link = new PeerLink('eu-west', client);
    const sent = sendOverLink(link, 'ship', {}, TIMEOUT_MS);
    replies[0].fail(new Error('NODE_UNAVAILABLE'));
    await expect(sent).rejects.toThrow('NODE_UNAVAILABLE');
  });

  it('fails at once when a new process of the peer replicator answers', async () => {
    const { client, replies } = stalledClient();
    const link = new PeerLink('eu-west', client);
    link.recordContact(Date.now(), 'before');
    const lost = sendOverLink(link, 'ship', {}, TIMEOUT_MS);
    const answered = sendOverLink<{ applied: number }>(link, 'ship', {}, TIMEOUT_MS);
    replies[1].answer({ applied: 1 });
    await expect(answered).resolves.toEqual({ applied: 1 });

    link.recordContact(Date.now(), 'after'); // the replicator restarted: the first request died with it
    await expect(lost).rejects.toMatchObject({ name: 'PeerRestartedError' });
    expect(replies[0].abandoned).toBe(true);
  });

  it('fails at once when the first process to answer answers something else: the request may have reached none', async () => {
    const { client, replies } = stalledClient();
    const link = new PeerLink('eu-west', client);
    const lost = sendOverLink(link, 'ship', {}, TIMEOUT_MS);
    link.recordContact(Date.now(), 'first'); // a probe answered by a replicator that came up after the send
    await expect(lost).rejects.toMatchObject({ name: 'PeerRestartedError' });
    expect(replies[0].abandoned).toBe(true);
  });
});
