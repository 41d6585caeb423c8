import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Redis from 'ioredis';
import { firstValueFrom, timeout } from 'rxjs';
import { RedisServer } from '@geokv/test-support';
import { createTransportClient, type PersistentReplyRedisClient } from './persistent-reply-redis.client';
import { replyIdOf } from './private-reply';
import { transportOptionsFromUrl } from './redis-options';
import { ReplySafeRedisServer } from './reply-safe-redis.server';
import { decodeWire, encodeWire } from './wire-codec';

describe('private reply channels, over a real Redis', () => {
  const logDir = mkdtempSync(join(tmpdir(), 'geokv-private-reply-'));
  let redis: RedisServer;
  let server: ReplySafeRedisServer;
  let observer: Redis;
  const replies: { channel: string; response: unknown }[] = [];
  const clients: PersistentReplyRedisClient[] = [];

  beforeAll(async () => {
    redis = await RedisServer.start({ logFile: join(logDir, 'redis.log') });
    server = new ReplySafeRedisServer(transportOptionsFromUrl(redis.url));
    server.addHandler('echo', async (data: unknown) => data, false);
    await new Promise<void>((resolve, reject) => server.listen((error?: unknown) => (error === undefined ? resolve() : reject(error as Error))));
    // Sees every reply the server publishes, on whichever channel.
    observer = new Redis(redis.url);
    observer.on('pmessageBuffer', (_pattern: string, channel: Buffer, message: Buffer) => {
      replies.push({ channel: channel.toString(), response: (decodeWire(message) as { response: unknown }).response });
    });
    await observer.psubscribe('echo.*');
  }, 30_000);

  afterAll(async () => {
    await Promise.all(clients.map((client) => client.close()));
    await server?.close();
    observer?.disconnect();
    await redis?.stop();
    rmSync(logDir, { recursive: true, force: true });
  });

  async function connected(client: PersistentReplyRedisClient): Promise<PersistentReplyRedisClient> {
    clients.push(client);
    await client.connect();
    return client;
  }

  it('answers each geokv client on its own channel, and one that names none on the shared one', async () => {
    const first = await connected(createTransportClient(redis.url));
    const second = await connected(createTransportClient(redis.url));
    expect(first.replyId).not.toBe(second.replyId);

    const answers = await Promise.all([first, second].map((client, i) => firstValueFrom(client.send<string>('echo', `request ${i}`).pipe(timeout(5_000)))));
    expect(answers).toEqual(['request 0', 'request 1']);
    // A request that names no client, as Nest's own client sends them (in geokv's wire format).
    const publisher = new Redis(redis.url);
    try {
      await publisher.publish('echo', encodeWire({ pattern: 'echo', data: 'request 2', id: 'plain-1' }));
    } finally {
      publisher.disconnect();
    }

    for (let waited = 0; replies.length < 3 && waited < 2_000; waited += 10) await sleep(10);
    expect(replies).toEqual(
      expect.arrayContaining([
        { channel: `echo.${first.replyId}.reply`, response: 'request 0' },
        { channel: `echo.${second.replyId}.reply`, response: 'request 1' },
        { channel: 'echo.reply', response: 'request 2' },
      ]),
    );
    expect(replies).toHaveLength(3);
  }, 30_000);

  it('takes only a hex reply id: anything else cannot name a channel', () => {
    const client: PersistentReplyRedisClient = createTransportClient('redis://127.0.0.1:6379');
    expect(client.replyId).toMatch(/^[0-9a-f]{12}$/);
    expect(replyIdOf({ replyId: client.replyId })).toBe(client.replyId);
    for (const replyId of ['', 'x.y', 'ABC', '*', 7, null, 'a'.repeat(33)]) expect(replyIdOf({ replyId })).toBeUndefined();
    expect(replyIdOf(null)).toBeUndefined();
  });
});
