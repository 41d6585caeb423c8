import { Logger } from '@nestjs/common';
import { RedisContext } from '@nestjs/microservices';
import type { Redis } from 'ioredis';
import { ReplySafeRedisServer } from './reply-safe-redis.server';
import { decodeWire } from './wire-codec';

describe('ReplySafeRedisServer', () => {
  const context = new RedisContext(['storage.n1.write']);

  // The dropped reply's warning is expected here; keep it out of the test output.
  beforeAll(() => Logger.overrideLogger(false));
  afterAll(() => Logger.overrideLogger(['log', 'error', 'warn', 'debug', 'verbose']));

  it("publishes a reply on Nest's reply channel, in geokv's wire format", async () => {
    const published: [string, Buffer][] = [];
    const pub = { publish: async (channel: string, message: Buffer) => published.push([channel, message]) } as unknown as Redis;
    const publish = new ReplySafeRedisServer({ host: '127.0.0.1', port: 6379 }).getPublisher(pub, 'storage.n1.write', 'request-1', context);
    await publish({ response: { ok: true } });
    expect(published).toHaveLength(1);
    expect(published[0][0]).toBe('storage.n1.write.reply');
    expect(decodeWire(published[0][1])).toMatchObject({ id: 'request-1', response: { ok: true } });
  });

  it('drops a reply whose connection has closed instead of rejecting (which crashed the app on shutdown)', async () => {
    const pub = { publish: () => Promise.reject(new Error('Connection is closed.')) } as unknown as Redis;
    const publish = new ReplySafeRedisServer({ host: '127.0.0.1', port: 6379 }).getPublisher(pub, 'storage.n1.write', 'request-2', context);
    await expect(publish({ response: 1 })).resolves.toBeUndefined();
  });
});
