import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { RedisServer } from '@geokv/test-support';
import { redisOptionsFromUrl } from './redis-options';
import { corkUntilTurnEnds } from './turn-corked-writes';

const endOfTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
/** Bytes handed to the kernel so far (a socket's bytesWritten counts what it still buffers too). */
const sentBytes = (redis: Redis): number => redis.stream.bytesWritten - redis.stream.writableLength;

describe('corkUntilTurnEnds, over a real Redis', () => {
  const logDir = mkdtempSync(join(tmpdir(), 'geokv-corked-writes-'));
  let redis: RedisServer;
  let publisher: Redis;
  let subscriber: Redis;
  /** Messages by channel: each test publishes on its own, so that one's late deliveries cannot reach another's. */
  const received = new Map<string, string[]>();
  const messagesOn = (channel: string): string[] => received.get(channel) ?? [];

  beforeAll(async () => {
    redis = await RedisServer.start({ logFile: join(logDir, 'redis.log') });
    publisher = new Redis(redisOptionsFromUrl(redis.url));
    subscriber = new Redis(redisOptionsFromUrl(redis.url));
    subscriber.on('message', (channel: string, message: string) => received.set(channel, [...messagesOn(channel), message]));
    await subscriber.subscribe('held', 'not-ready', 'after');
    await publisher.ping();
  }, 30_000);

  afterAll(async () => {
    publisher?.disconnect();
    subscriber?.disconnect();
    await redis?.stop();
    rmSync(logDir, { recursive: true, force: true });
  });

  it("holds a turn's commands until the turn ends, then sends them together, every one delivered in order", async () => {
    const sentBefore = sentBytes(publisher);
    corkUntilTurnEnds(publisher);
    const published = Array.from({ length: 20 }, (_, i) => {
      corkUntilTurnEnds(publisher);
      return publisher.publish('held', `message ${i}`);
    });

    // Still in the turn: nothing has reached the socket yet, all of it is waiting in one corked buffer.
    expect(publisher.stream.writableCorked).toBe(1);
    expect(sentBytes(publisher)).toBe(sentBefore);
    expect(publisher.stream.writableLength).toBeGreaterThan(0);

    await endOfTurn();
    expect(publisher.stream.writableCorked).toBe(0);
    expect(publisher.stream.writableLength).toBe(0);
    await expect(Promise.all(published)).resolves.toEqual(Array(20).fill(1));
    await subscriber.ping();
    expect(messagesOn('held')).toEqual(Array.from({ length: 20 }, (_, i) => `message ${i}`));
  });

  it('leaves a connection that is not ready alone: its commands are queued by ioredis and sent once it connects', async () => {
    const late = new Redis({ ...redisOptionsFromUrl(redis.url), lazyConnect: true });
    try {
      corkUntilTurnEnds(late);
      await expect(late.publish('not-ready', 'after connecting')).resolves.toBe(1);
      await subscriber.ping();
      expect(messagesOn('not-ready')).toEqual(['after connecting']);
    } finally {
      late.disconnect();
    }
  });

  it('sends commands issued after the turn at once', async () => {
    corkUntilTurnEnds(publisher);
    const first = publisher.publish('after', 'in the turn');
    await endOfTurn();
    const sentBefore = sentBytes(publisher);
    const second = publisher.publish('after', 'after it');
    expect(sentBytes(publisher)).toBeGreaterThan(sentBefore);
    await Promise.all([first, second]);
    await subscriber.ping();
    expect(messagesOn('after')).toEqual(['in the turn', 'after it']);
  });
});
